# The points ledger moves here from the volunteers app. The tables already
# exist (created by volunteers' migrations 0001-0005), so this migration only
# takes the models over in Django's state; 0002 renames the tables and moves
# the content types (and with them permissions and admin history).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('grids', '0003_derived_grid_blank'),
        ('volunteers', '0005_lean_points_totals'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='PointsPeriod',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('month', '月度'), ('quarter', '季度'), ('year', '年度')], max_length=8, verbose_name='周期')),
                        ('start', models.DateField(verbose_name='开始日期')),
                        ('computed_at', models.DateTimeField(verbose_name='汇总时间')),
                        ('watermark', models.BigIntegerField(default=0, verbose_name='已汇总的最大记录号')),
                        ('entries', models.PositiveIntegerField(default=0, verbose_name='记录数')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='结账时间')),
                    ],
                    options={
                        'verbose_name': '积分汇总周期',
                        'verbose_name_plural': '积分汇总周期',
                        'db_table': 'volunteers_pointsperiod',
                        'ordering': ['kind', 'start'],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'start'), name='points_period_once')],
                    },
                ),
                migrations.CreateModel(
                    name='PointsRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='规则代码')),
                        ('name', models.CharField(max_length=60, verbose_name='名称')),
                        ('subject_kind', models.CharField(choices=[('person', '个人'), ('team', '志愿服务队'), ('unit', '驻区单位')], max_length=10, verbose_name='积分对象')),
                        ('basis', models.CharField(choices=[('event', '按次'), ('hour', '按小时')], default='event', max_length=10, verbose_name='计分方式')),
                        ('points', models.DecimalField(decimal_places=2, max_digits=7, verbose_name='分值')),
                        ('active_from', models.DateField(blank=True, null=True, verbose_name='生效日期')),
                        ('active_until', models.DateField(blank=True, null=True, verbose_name='失效日期')),
                        ('description', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                    ],
                    options={
                        'verbose_name': '积分规则',
                        'verbose_name_plural': '积分规则',
                        'db_table': 'volunteers_pointsrule',
                        'ordering': ['subject_kind', 'code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('active_until__isnull', True), ('active_from__isnull', True), ('active_until__gte', models.F('active_from')), _connector='OR'), name='points_rule_dates_in_order')],
                    },
                ),
                migrations.CreateModel(
                    name='PointsEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject_kind', models.CharField(choices=[('person', '个人'), ('team', '志愿服务队'), ('unit', '驻区单位')], max_length=10, verbose_name='积分对象')),
                        ('subject_id', models.PositiveBigIntegerField(verbose_name='对象编号')),
                        ('subject_label', models.CharField(max_length=100, verbose_name='对象')),
                        ('source_id', models.PositiveBigIntegerField(verbose_name='来源编号')),
                        ('quantity', models.DecimalField(decimal_places=2, default=1, max_digits=9, verbose_name='数量')),
                        ('points', models.DecimalField(decimal_places=2, max_digits=9, verbose_name='积分')),
                        ('occurred_at', models.DateTimeField(verbose_name='发生时间')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记账时间')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='备注')),
                        ('grid', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grids.grid', verbose_name='所属网格节点')),
                        ('reverses', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='points.pointsentry', verbose_name='冲销的记录')),
                        ('source_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='来源类型')),
                        ('street', models.ForeignKey(help_text='排名在街道内进行。', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grids.grid', verbose_name='所属街道')),
                        ('subject_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='对象类型')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='points.pointsrule', verbose_name='规则')),
                    ],
                    options={
                        'verbose_name': '积分记录',
                        'verbose_name_plural': '积分台账',
                        'db_table': 'volunteers_pointsentry',
                        'ordering': ['-occurred_at', '-pk'],
                        'permissions': [('reverse_pointsentry', '可冲销积分记录')],
                        'indexes': [models.Index(fields=['street', 'occurred_at'], name='points_street_time_idx'), models.Index(fields=['subject_type', 'subject_id', 'occurred_at'], name='points_subject_time_idx'), models.Index(fields=['occurred_at'], include=('street', 'subject_kind', 'subject_type', 'subject_id', 'grid', 'points', 'id'), name='points_rollup_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('reverses__isnull', True)), fields=('rule', 'subject_type', 'subject_id', 'source_type', 'source_id'), name='points_once_per_source')],
                    },
                ),
                migrations.CreateModel(
                    name='PointsTotal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period_kind', models.CharField(choices=[('month', '月度'), ('quarter', '季度'), ('year', '年度')], max_length=8, verbose_name='周期')),
                        ('period_start', models.DateField(verbose_name='周期开始')),
                        ('subject_kind', models.CharField(choices=[('person', '个人'), ('team', '志愿服务队'), ('unit', '驻区单位')], max_length=10, verbose_name='积分对象')),
                        ('subject_id', models.PositiveBigIntegerField(verbose_name='对象编号')),
                        ('points', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='积分')),
                        ('entries', models.PositiveIntegerField(verbose_name='记录数')),
                        ('last_at', models.DateTimeField(verbose_name='最后一笔时间')),
                        ('rank', models.PositiveIntegerField(verbose_name='街道排名')),
                        ('grid', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grids.grid', verbose_name='所属网格节点')),
                        ('street', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grids.grid', verbose_name='街道')),
                        ('subject_type', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='对象类型')),
                    ],
                    options={
                        'verbose_name': '积分汇总',
                        'verbose_name_plural': '积分汇总与排名',
                        'db_table': 'volunteers_pointstotal',
                        'ordering': ['period_kind', '-period_start', 'street', 'subject_kind', 'rank'],
                        'indexes': [models.Index(fields=['period_kind', 'period_start', 'street', 'subject_kind', '-points', 'last_at', 'subject_type', 'subject_id'], name='points_total_board_idx')],
                        'constraints': [models.UniqueConstraint(fields=('subject_type', 'subject_id', 'period_kind', 'period_start', 'street'), name='points_total_once_per_period')],
                    },
                ),
            ],
        ),
    ]
