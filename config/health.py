"""/healthz: what a load balancer asks before it sends a node traffic (docs/scaling.md).

JSON, no sign-in, never cached. 200 while the node can serve (the primary answers), 503 when the
primary cannot be reached. It reports:
- database: the primary reachable, its vendor, the time a trivial query took;
- replicas: each replica's lag (bytes of WAL and seconds, config/db_routing.py) and whether reads
  go to it, checked afresh;
- search_index: when the index was built, the newest change in its change log and the last this
  process's live index applied (null until the process's first search), and `stale`: the index
  was never built, or this process has not applied a change older than INDEX_STALE_SECONDS; and
  the node's tantivy index (node_index: the change it applied, its lag).
It loads nothing heavy: the live index is looked at only if the process already has it.
"""

import time

from django.db import connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config import db_routing

INDEX_STALE_SECONDS = 60


def database_state() -> dict:
    started = time.perf_counter()
    db = connections[db_routing.PRIMARY]
    try:
        with db_routing.primary_reads(), db.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        db.close_if_unusable_or_obsolete()
        return {"reachable": False, "vendor": db.vendor, "error": f"{type(exc).__name__}: {str(exc).strip()[:300]}"}
    return {"reachable": True, "vendor": db.vendor, "query_ms": round((time.perf_counter() - started) * 1000, 2)}


def replicas_state() -> list[dict]:
    return [db_routing.replica_health(alias, fresh=True).as_dict() for alias in db_routing.replica_aliases()]


def index_state() -> dict:
    from search import live
    from search.models import IndexChange, IndexState

    with db_routing.primary_reads():
        built_at = IndexState.objects.filter(pk=1).values_list("built_at", flat=True).first()
        latest = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        shared = next(iter(live._shared.values()), None)
        applied = shared.last_change if shared is not None else None
        oldest_pending = None
        if applied is not None and latest > applied:
            # a change this process's index has not applied (ids not yet seen; REREAD_WINDOW aside)
            first = (IndexChange.objects.filter(pk__gt=applied).exclude(pk__in=shared.seen)
                     .order_by("pk").values_list("created_at", flat=True).first())
            if first is not None:
                oldest_pending = (timezone.now() - first).total_seconds()
    stale = built_at is None or (oldest_pending is not None and oldest_pending > INDEX_STALE_SECONDS)
    state = {
        "built_at": built_at.isoformat() if built_at else None,
        "latest_change": latest,
        "applied_change": applied,
        "pending_seconds": round(oldest_pending, 3) if oldest_pending is not None else None,
        "stale": stale,
    }
    from search import tantivy_index

    state["node_index"] = tantivy_index.health(latest)  # this node's tantivy index: applied change, lag
    return state


def report() -> tuple[int, dict]:
    """(HTTP status, the JSON body)."""
    database = database_state()
    body = {"status": "ok" if database["reachable"] else "unavailable", "database": database}
    if not database["reachable"]:
        return 503, body
    body["replicas"] = replicas_state()
    body["reads_from_replica"] = any(r["in_use"] for r in body["replicas"])
    try:
        body["search_index"] = index_state()
    except Exception as exc:  # the primary answered a moment ago: report, do not fail the check
        body["search_index"] = {"error": f"{type(exc).__name__}: {str(exc).strip()[:300]}", "stale": True}
    if body["search_index"].get("stale"):
        body["status"] = "degraded"
    return 200, body


@never_cache
@require_safe
def healthz(request):
    status, body = report()
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
