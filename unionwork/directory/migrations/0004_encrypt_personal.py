# 身份证号 and phone encrypted at rest (core/crypto.py); members found and kept unique by a keyed hash.

from django.db import migrations, models

import unionwork.core.fields
from unionwork.core import crypto


def encrypt(apps, schema_editor):
    crypto.encrypt_table(schema_editor, "directory_member", ["id_number", "phone"], {"id_number_hash": "id_number"})


def decrypt(apps, schema_editor):
    crypto.encrypt_table(schema_editor, "directory_member", ["id_number", "phone"], {}, reverse=True)


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0003_member_fewer_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='id_number_hash',
            field=models.CharField(max_length=64, blank=True, default="", editable=False),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='member',
            name='id_number',
            field=unionwork.core.fields.EncryptedTextField(plain_max_length=18, verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='member',
            name='phone',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=20, verbose_name='手机号'),
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.AlterField(
            model_name='member',
            name='id_number_hash',
            field=unionwork.core.fields.LookupHashField(source='id_number', unique=True),
        ),
    ]
