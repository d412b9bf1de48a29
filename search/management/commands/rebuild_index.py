"""Rebuild the search index from the database (it is derived data: nothing is lost by dropping it):
the documents in the database, then this node's tantivy index from them (search.tantivy_index)."""

import sys

from django.core.management.base import BaseCommand

from search import indexing, tantivy_index


class Command(BaseCommand):
    help = "为所有已发布的报道段落重建全文检索索引，并显示进度和耗时。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="只在 check_index 发现不一致时才重建（没有变化时很快；make run 用的就是它）。",
        )
        parser.add_argument(
            "--node-index",
            action="store_true",
            help="只重建本机磁盘上的检索索引，数据库中的检索文档不动：新加入的应用节点用它。",
        )

    def handle(self, *args, if_stale, node_index, verbosity, **options):
        if node_index:
            self._node_index(verbosity)
            return
        if if_stale:
            problems = indexing.drift()
            if not problems:
                if verbosity:
                    self.stdout.write("检索索引已是最新，无需重建。")
                if tantivy_index.read_state(tantivy_index.folder()) is None:
                    self._node_index(verbosity)
                return
            if verbosity:
                self.stdout.write("检索索引需要重建：" + "；".join(problems))

        def progress(done, total):
            if verbosity and sys.stdout.isatty():
                width = 30
                filled = int(width * done / max(total, 1))
                self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
                self.stdout.flush()

        report = indexing.rebuild(progress=progress)
        if verbosity and sys.stdout.isatty():
            self.stdout.write("")
        state = self._node_index(verbosity)
        if verbosity:
            seconds = report.seconds + state["seconds"]
            rate = report.characters / seconds / 1e6 if seconds else 0.0
            self.stdout.write(
                self.style.SUCCESS(
                    f"索引重建完成：{report.sections} 个段落，{report.characters / 1e6:.2f} MB 文本，"
                    f"共 {seconds:.2f} 秒（分词 {report.seconds:.2f} 秒，本机索引 {state['seconds']:.2f} 秒；"
                    f"{rate:.2f} MB/s），词典 {report.dictionary_hash}"
                )
            )

    def _node_index(self, verbosity):
        state = tantivy_index.rebuild()
        if verbosity:
            self.stdout.write(f"本机磁盘上的检索索引已重建：{state['sections']} 个段落，{state['seconds']:.2f} 秒")
        return state
