# Personal details encrypted at rest (core/crypto.py).

from django.db import migrations

import unionwork.core.fields
from unionwork.core import crypto

HARDSHIP = ["id_number", "phone", "health", "disability", "bank_name", "bank_account"]
SEEKER = ["id_number", "phone"]


def encrypt(apps, schema_editor):
    crypto.encrypt_table(schema_editor, "care_hardshipfile", HARDSHIP)
    crypto.encrypt_table(schema_editor, "care_jobseeker", SEEKER)


def decrypt(apps, schema_editor):
    crypto.encrypt_table(schema_editor, "care_hardshipfile", HARDSHIP, reverse=True)
    crypto.encrypt_table(schema_editor, "care_jobseeker", SEEKER, reverse=True)


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='hardshipfile',
            name='bank_account',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=40, verbose_name='银行账号'),
        ),
        migrations.AlterField(
            model_name='hardshipfile',
            name='bank_name',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=100, verbose_name='开户银行'),
        ),
        migrations.AlterField(
            model_name='hardshipfile',
            name='disability',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=200, verbose_name='残疾情况'),
        ),
        migrations.AlterField(
            model_name='hardshipfile',
            name='health',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=200, verbose_name='健康状况'),
        ),
        migrations.AlterField(
            model_name='hardshipfile',
            name='id_number',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=18, verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='hardshipfile',
            name='phone',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=20, verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='jobseeker',
            name='id_number',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=18, verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='jobseeker',
            name='phone',
            field=unionwork.core.fields.EncryptedTextField(blank=True, plain_max_length=20, verbose_name='联系电话'),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
