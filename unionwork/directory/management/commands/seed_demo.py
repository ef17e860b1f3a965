import time

from django.core.management.base import BaseCommand, CommandError

from unionwork.accounts.choices import Role
from unionwork.accounts.models import User
from unionwork.directory import demo
from unionwork.org.models import Node

DEMO_PASSWORD = "demo12345"


class Command(BaseCommand):
    help = "生成演示/基准数据（同一随机种子得到同样的数据），并创建各角色的演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=2000)
        parser.add_argument("--members", type=int, default=20000)
        parser.add_argument("--streets", type=int, default=3)
        parser.add_argument("--communities", type=int, default=8, help="每个街道的社区数（约数）")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="数据库已有组织数据时什么也不做")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **o):
        if Node.objects.exists():
            if o["if_empty"]:
                self.stdout.write("数据库已有数据，跳过演示数据生成。")
                self.print_logins()
                return
            raise CommandError("数据库中已有组织数据；演示数据只能生成到空数据库（或使用 --if-empty）。")
        started = time.monotonic()
        say = (lambda msg: None) if o["quiet"] else (lambda msg: self.stdout.write("  " + msg))
        self.stdout.write(f"生成演示数据（种子 {o['seed']}）…")
        made = demo.generate(seed=o["seed"], streets=o["streets"], communities_per_street=o["communities"],
                             enterprises=o["enterprises"], members=o["members"], progress=say)
        self.create_users(made)
        # Each domain adds its records (same seed, same records).
        import random

        from unionwork.activities import demo as activities_demo
        from unionwork.care import demo as care_demo
        from unionwork.funds import demo as funds_demo
        from unionwork.labour import demo as labour_demo

        for offset, (label, module) in enumerate([("维权", labour_demo), ("服务", care_demo),
                                                  ("活动", activities_demo), ("经费", funds_demo)], start=1):
            counts = module.generate(random.Random(o["seed"] + offset), demo.TODAY)
            say(f"{label}：" + "，".join(f"{k} {v}" for k, v in counts.items()))
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {time.monotonic() - started:.1f} 秒。"))
        self.print_logins()

    def create_users(self, made):
        street = made["streets"][0]
        comms = [c for c in made["communities"] if c.parent_id == street.pk]
        union = next(u for u in made["unions"] if u.node.parent_id == comms[0].pk)
        specs = [
            ("qu_admin", "区总工会管理员", Role.DISTRICT_ADMIN, made["district"]),
            ("jd_ganbu", "街道干部 " + street.name, Role.STREET_CADRE, street),
            ("sq_ganbu", "社区干部 " + comms[0].name, Role.COMMUNITY_CADRE, comms[0]),
            ("sq_ganbu2", "社区干部 " + comms[1].name, Role.COMMUNITY_CADRE, comms[1]),
            ("jc_zhuxi", "工会主席 " + union.chair_name, Role.UNION_CHAIR, union.node),
            ("jingshen", "经审 " + street.name, Role.AUDITOR, street),
            ("zhidu", "只读 " + made["district"].name, Role.VIEWER, made["district"]),
        ]
        for username, name, role, node in specs:
            user = User(username=username, display_name=name, role=role, node=node)
            user.set_password(DEMO_PASSWORD)
            user.save()

    def print_logins(self):
        users = User.objects.filter(username__in=["qu_admin", "jd_ganbu", "sq_ganbu", "sq_ganbu2", "jc_zhuxi",
                                                  "jingshen", "zhidu"]).select_related("node")
        if not users:
            return
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for u in users.order_by("id"):
            self.stdout.write(f"  {u.username:<10} {u.get_role_display():<10} {u.node.display_name if u.node else ''}")
