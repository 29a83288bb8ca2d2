# The monthly report moves here from the alliances app. Its table exists
# (created by alliances.0003), so this migration takes the model over in
# Django's state only; 0002 renames the table and moves the content type.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('alliances', '0003_monthly_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='MonthlyReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='该月的第一天。', verbose_name='月份')),
                        ('schema_version', models.PositiveSmallIntegerField(verbose_name='数据格式版本')),
                        ('data', models.JSONField(verbose_name='报告内容')),
                        ('revision', models.PositiveIntegerField(default=1, verbose_name='生成次数')),
                        ('built_at', models.DateTimeField(verbose_name='生成时间')),
                        ('built_via', models.CharField(choices=[('task', '定时任务'), ('command', '管理命令'), ('page', '工作人员在页面生成'), ('demo', '演示数据')], max_length=10, verbose_name='生成方式')),
                        ('alliance', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='monthly_reports', to='alliances.alliance', verbose_name='联盟')),
                        ('built_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='生成人')),
                    ],
                    options={
                        'verbose_name': '联席会议月度报告',
                        'verbose_name_plural': '联席会议月度报告',
                        'db_table': 'alliances_monthlyreport',
                        'ordering': ['alliance', '-month'],
                        'constraints': [models.UniqueConstraint(fields=('alliance', 'month'), name='report_one_per_alliance_month'), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='report_month_is_first_day')],
                    },
                ),
            ],
        ),
    ]
