"""Robot webhooks and signing secrets encrypted at rest (accounts.encryption); existing values encrypted here."""

from django.db import migrations
from django.db.models import TextField, Value

import accounts.encryption

FIELDS = ("wecom_webhook", "dingtalk_webhook", "dingtalk_secret")


def encrypt_existing(apps, schema_editor):
    # Reading gives the plain values written before (decrypt passes them through); update() encrypts them.
    Department = apps.get_model("plans", "Department")
    for pk, *values in Department.objects.values_list("pk", *FIELDS):
        changes = {name: value for name, value in zip(FIELDS, values) if value}
        if changes:
            Department.objects.filter(pk=pk).update(**changes)


def decrypt_existing(apps, schema_editor):
    # Written as plain text expressions, which the encrypted field does not encrypt.
    Department = apps.get_model("plans", "Department")
    for pk, *values in Department.objects.values_list("pk", *FIELDS):
        changes = {name: Value(value, output_field=TextField()) for name, value in zip(FIELDS, values) if value}
        if changes:
            Department.objects.filter(pk=pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_task_colour"),
    ]

    operations = [
        migrations.AlterField(
            model_name="department",
            name="dingtalk_secret",
            field=accounts.encryption.EncryptedTextField(
                blank=True, help_text="加签密钥 (SEC…), if the robot uses one.", verbose_name="DingTalk signing secret"
            ),
        ),
        migrations.AlterField(
            model_name="department",
            name="dingtalk_webhook",
            field=accounts.encryption.EncryptedTextField(
                blank=True,
                help_text="钉钉群机器人: https://oapi.dingtalk.com/robot/send?access_token=…",
                verbose_name="DingTalk group robot webhook",
            ),
        ),
        migrations.AlterField(
            model_name="department",
            name="wecom_webhook",
            field=accounts.encryption.EncryptedTextField(
                blank=True,
                help_text="企业微信群机器人: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
                verbose_name="WeCom group robot webhook",
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
    ]
