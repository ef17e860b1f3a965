"""Personal information at rest: AES-256-GCM encryption and a keyed lookup hash (HMAC-SHA256).

Keys come from the environment (production) or, on a developer's machine, from var/data_keys.json,
made on first use like var/secret_key:

    UNIONWORK_DATA_KEYS   "id:base64key,id:base64key…" — the first encrypts, every one decrypts (rotation)
    UNIONWORK_LOOKUP_KEY  base64 key of the lookup hash (kept for good: rotating it means rehashing every row)

A stored value is "<key id>$<base64 of nonce ‖ ciphertext ‖ tag>". The database alone (a leaked file, a
backup) holds neither the values nor the keys. Written by hand around `cryptography`'s AESGCM because the
field needs two things no maintained Django package gives together: several keys for rotation and a
separate keyed hash for lookups and uniqueness.
"""

import base64
import functools
import hashlib
import json
import os
import threading

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEPARATOR = "$"


class DecryptionError(ValueError):
    pass


def _key_file():
    return settings.VAR_DIR / "data_keys.json"


def new_key() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _decode_key(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{what} is not base64") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{what} must be 32 bytes (base64 of 256 bits)")
    return key


def _write_key_file(data: dict, *, replace: bool):
    """var/data_keys.json, readable by its owner only, written whole under a temporary name of this
    process's own (the server, the task worker and a command may all start on a fresh checkout at once).
    replace=False never overwrites a file another process made meanwhile."""
    path = _key_file()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data))
    os.chmod(tmp, 0o600)
    try:
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _read_file_keys() -> dict:
    path = _key_file()
    if not path.exists():
        _write_key_file({"data_keys": [["k1", new_key()]], "lookup_key": new_key()}, replace=False)
    return json.loads(path.read_text())


def keys_from_environment() -> bool:
    return bool(os.environ.get("UNIONWORK_DATA_KEYS"))


@functools.cache
def _keys():
    """([(key id, AESGCM)], lookup key): the first AESGCM encrypts."""
    if not keys_from_environment() and settings.PRODUCTION:
        raise ImproperlyConfigured("DJANGO_ENV=production needs UNIONWORK_DATA_KEYS and UNIONWORK_LOOKUP_KEY in the "
                                   "environment (manage.py rotate_keys --generate makes a key)")
    if keys_from_environment():
        pairs = [item.split(":", 1) for item in os.environ["UNIONWORK_DATA_KEYS"].split(",") if item.strip()]
        lookup = os.environ.get("UNIONWORK_LOOKUP_KEY", "")
        if not lookup:
            raise ImproperlyConfigured("UNIONWORK_LOOKUP_KEY is required with UNIONWORK_DATA_KEYS")
    else:
        data = _read_file_keys()
        pairs, lookup = data["data_keys"], data["lookup_key"]
    ciphers = []
    for pair in pairs:
        if len(pair) != 2 or not pair[0].strip() or SEPARATOR in pair[0]:
            raise ImproperlyConfigured("UNIONWORK_DATA_KEYS items are written id:base64key")
        ciphers.append((pair[0].strip(), AESGCM(_decode_key(pair[1], f"data key {pair[0]}"))))
    return ciphers, _decode_key(lookup, "lookup key")


def reset_keys():
    """Forget the keys read (after a rotation, in tests)."""
    _keys.cache_clear()
    _hash_pads.cache_clear()


def encrypt(value: str) -> str:
    """The stored form of value ("" stays "": an empty field says nothing about a person)."""
    if not value:
        return ""
    key_id, cipher = _keys()[0][0]
    nonce = os.urandom(12)  # random 96-bit nonces: safe for far more values than a key ever encrypts
    return key_id + SEPARATOR + base64.b64encode(nonce + cipher.encrypt(nonce, value.encode(), None)).decode()


def is_encrypted(stored: str) -> bool:
    return bool(stored) and SEPARATOR in stored[:20]


def key_id_of(stored: str) -> str:
    return stored.split(SEPARATOR, 1)[0] if is_encrypted(stored) else ""


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    key_id, _, body = stored.partition(SEPARATOR)
    if not body:
        raise DecryptionError("value is not encrypted")
    for kid, cipher in _keys()[0]:
        if kid == key_id:
            raw = base64.b64decode(body)
            try:
                return cipher.decrypt(raw[:12], raw[12:], None).decode()
            except Exception as exc:  # InvalidTag: a wrong key or a changed value
                raise DecryptionError(f"value under key {key_id} does not decrypt") from exc
    raise DecryptionError(f"key {key_id} is not among the configured data keys")


@functools.cache
def _hash_pads():
    # HMAC-SHA256 with its two padded key states made once: the same digest as hmac.new(key, msg,
    # "sha256"), at a third of the cost per value (an import hashes hundreds of thousands).
    key = _keys()[1].ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def lookup_hash(value: str) -> str:
    """The keyed hash a value is looked up and kept unique by ("" for an empty value)."""
    if not value:
        return ""
    inner, outer = _hash_pads()
    inner, outer = inner.copy(), outer.copy()
    inner.update(value.encode())
    outer.update(inner.digest())
    return outer.hexdigest()


def current_key_id() -> str:
    return _keys()[0][0][0]


def rotate_file_key() -> str:
    """Developer machines: put a new data key in front in var/data_keys.json; returns its id."""
    data = _read_file_keys()
    ids = {kid for kid, _ in data["data_keys"]}
    n = len(ids) + 1
    while f"k{n}" in ids:
        n += 1
    data["data_keys"].insert(0, [f"k{n}", new_key()])
    _write_key_file(data, replace=True)
    reset_keys()
    return f"k{n}"


def encrypt_table(schema_editor, table: str, columns: list[str], hashes: dict | None = None, reverse=False):
    """Migrations: encrypt (or, reverse=True, decrypt back to plain) the given text columns of every row, by
    raw SQL (the historical model's fields would encrypt or decrypt on their own), and fill each hash column
    of `hashes` ({hash column: source column}). Values already in the wanted form are left as they are, so a
    migration interrupted and run again is harmless."""
    connection = schema_editor.connection
    if not reverse:
        reencrypt_table(connection, table, columns, hashes)
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(quote(c) for c in columns)} FROM {quote(table)}")
        rows = [[*(decrypt(v) if is_encrypted(v) else v for v in values), pk] for pk, *values in cursor.fetchall()]
        cursor.executemany(f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = %s' for c in columns)} "
                           "WHERE id = %s", rows)


def encrypted_columns() -> list[tuple]:
    """[(model, [encrypted column, …], {hash column: source column})] of every model with
    EncryptedTextFields: what a rotation rewrites."""
    from django.apps import apps

    from .fields import EncryptedTextField, LookupHashField

    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        columns = [f.column for f in fields if isinstance(f, EncryptedTextField)]
        if columns:
            hashes = {f.column: model._meta.get_field(f.source).column for f in fields
                      if isinstance(f, LookupHashField)}
            found.append((model, columns, hashes))
    return found


def count_by_key(connection, table: str, columns: list[str]) -> dict:
    """{key id: number of stored values} of the given columns ("" counts plain, unencrypted values)."""
    quote = connection.ops.quote_name
    counts: dict = {}
    with connection.cursor() as cursor:
        for column in columns:
            # An empty value says nothing about a person and is not counted.
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")
            for (value,) in cursor.fetchall():
                kid = key_id_of(value)
                counts[kid] = counts.get(kid, 0) + 1
    return counts


def reencrypt_table(connection, table: str, columns: list[str], hashes: dict | None = None, progress=None) -> int:
    """Rewrite every value of the columns not under the current data key (or stored plain) under it, and
    every hash column ({hash column: source column}) under the current lookup key, by raw SQL in the
    caller's transaction; returns how many values changed."""
    hashes = hashes or {}
    quote = connection.ops.quote_name
    current = current_key_id()
    names = columns + list(hashes)
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(quote(c) for c in names)} FROM {quote(table)} ORDER BY id")
        rows = cursor.fetchall()
        sql = f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = %s' for c in names)} WHERE id = %s"
        batch = []
        for n, (pk, *stored) in enumerate(rows, 1):
            values = stored[:len(columns)]
            plain = dict(zip(columns, [(decrypt(v) if is_encrypted(v) else v) if v else v for v in values],
                             strict=True))
            new = [encrypt(plain[c]) if v and key_id_of(v) != current else v for c, v in zip(columns, values,
                                                                                             strict=True)]
            new += [lookup_hash(plain[src] or "") for src in hashes.values()]
            differ = sum(1 for old, v in zip(stored, new, strict=True) if old != v)
            if differ:
                changed += differ
                batch.append([*new, pk])
            if len(batch) >= 2000:
                cursor.executemany(sql, batch)
                batch = []
            if progress and n % 10000 == 0:
                progress(n, len(rows))
        if batch:
            cursor.executemany(sql, batch)
    if progress:
        progress(len(rows), len(rows))
    return changed


def environment() -> dict:
    """The keys this process holds, as the environment variables a child process reads them from."""
    _keys()  # checked first: a child must not start with keys this process would refuse
    if keys_from_environment():
        return {"UNIONWORK_DATA_KEYS": os.environ["UNIONWORK_DATA_KEYS"],
                "UNIONWORK_LOOKUP_KEY": os.environ["UNIONWORK_LOOKUP_KEY"]}
    data = _read_file_keys()
    return {"UNIONWORK_DATA_KEYS": ",".join(f"{kid}:{key}" for kid, key in data["data_keys"]),
            "UNIONWORK_LOOKUP_KEY": data["lookup_key"]}
