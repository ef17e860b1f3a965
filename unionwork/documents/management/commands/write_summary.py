from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from unionwork.core import audit
from unionwork.documents import docx, summary
from unionwork.org.models import Node
from unionwork.plans.indicators import Period


class Command(BaseCommand):
    help = "生成工作总结（Word）：python manage.py write_summary --node D01-S01 --year 2026 -o 总结.docx"

    def add_arguments(self, parser):
        parser.add_argument("--node", required=True, help="组织编码")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--half", type=int, choices=[1, 2])
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, **o):
        node = Node.objects.filter(code=o["node"]).first()
        if node is None:
            raise CommandError(f"组织编码不存在：{o['node']}")
        if o["quarter"]:
            period = Period.quarter(o["year"], o["quarter"])
        elif o["half"]:
            period = Period.half(o["year"], o["half"])
        else:
            from django.utils import timezone

            period = Period.year(o["year"], until=timezone.localdate())
        doc = summary.build(node, period)
        Path(o["output"]).write_bytes(docx.write(doc))
        audit.log_event("document", user=None, node=node, object_repr=doc.title,
                        detail=f"命令行生成 Word：{doc.title}（{o['output']}）")
        self.stdout.write(f"已生成 {o['output']}：{doc.title}，{len(doc.sections)} 个部分")
