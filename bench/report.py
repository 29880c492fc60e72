"""The bench's numbers: merged per page, compared between the data sets, and
rendered as the table ``make bench`` prints."""

from __future__ import annotations


def combine(costs: list[dict], load: dict[str, dict]) -> dict[str, dict]:
    """Per page: the load tool's numbers, the hello run just before it, the
    ratio of the two, and the in-process cost (queries, SQL time, size)."""
    pages = {}
    for cost in costs:
        key = cost["key"]
        entry = {
            "label": cost["label"],
            "who": cost["who"],
            "url": cost["url"],
            "status": cost["status"],
            "bytes": cost["bytes"],
            "queries": cost["queries"],
            "sql_ms": cost["sql_ms"],
            "in_process_ms": cost["wall_ms"],
            "error": cost["error"],
        }
        runs = load.get(key)
        if runs:
            page, hello = runs["page"], runs["hello"]
            entry.update(
                rps=page["rps"],
                hello_rps=hello["rps"],
                ratio=round(page["rps"] / hello["rps"], 4) if hello["rps"] else None,
                p50_ms=page["p50_ms"],
                p95_ms=page["p95_ms"],
                p99_ms=page["p99_ms"],
                server_cpu_ms=page.get("server_cpu_ms"),
                # The same ratio by the server's CPU time per request (hello's ÷
                # the page's): what the rate ratio would be with nothing else running.
                cpu_ratio=_factor(hello.get("server_cpu_ms"), page.get("server_cpu_ms"), 4),
                requests=page["requests"],
                failures=page["failures"],
                load_errors=page["errors"],
                hello=hello,
            )
        pages[key] = entry
    return pages


def _factor(new, old, digits: int = 2):
    if new is None or old in (None, 0):
        return None
    return round(new / old, digits)


def growth(tenth: dict, full: dict) -> dict[str, dict]:
    """From the tenth to the full data set, per page: how throughput, latency,
    queries, SQL time and size changed (full ÷ tenth; queries as a difference)."""
    result = {}
    for key, small in tenth["pages"].items():
        large = full["pages"].get(key)
        if not large:
            continue
        result[key] = {
            "rps": _factor(large.get("rps"), small.get("rps")),
            "ratio": _factor(large.get("ratio"), small.get("ratio")),
            "p50": _factor(large.get("p50_ms"), small.get("p50_ms")),
            "p95": _factor(large.get("p95_ms"), small.get("p95_ms")),
            "queries": f"{small['queries']} → {large['queries']}",
            "sql_ms": _factor(large["sql_ms"], small["sql_ms"]),
            "server_cpu_ms": _factor(large.get("server_cpu_ms"), small.get("server_cpu_ms")),
            "bytes": _factor(large["bytes"], small["bytes"]),
        }
    if tenth.get("mail") and full.get("mail"):
        rates = full["mail"]["per_second"], tenth["mail"]["per_second"]
        result["mail"] = {"per_second": _factor(*rates)}
    return result


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1_000:
        return f"{count / 1_000:.1f} kB"
    return f"{count} B"


def _num(value, digits: int = 0, missing: str = "–") -> str:
    if value is None:
        return missing
    return f"{value:,.{digits}f}"


def _times(value) -> str:
    return "–" if value is None else f"×{value:.2f}"


def describe(generated: dict) -> str:
    scale, counts = generated["scale"], generated["counts"]
    return (
        f"{counts['profiles']:,} people ({scale['students']:,} students), "
        f"{counts['journeys']} journeys (the largest {scale['largest']:,} students, "
        f"{scale['largest_missions_per_week'] * scale['weeks']} missions), "
        f"{counts['posts']:,} posts, {counts['likes']:,} likes, {counts['comments']:,} comments, "
        f"{counts['notifications']:,} notifications"
    )


def render(results: dict) -> str:
    config, lines = results["config"], []
    machine = results["machine"]
    lines.append(
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores')} cores, "
        f"{machine.get('memory_gib', '?')} GiB, PostgreSQL {machine.get('postgresql', '?')} "
        f"({machine.get('postgresql_where')}), Python {machine['python']}; "
        f"load average at start {machine['load_average_at_start']}"
    )
    lines.append(
        f"gunicorn {config['gunicorn_workers']} sync workers, production settings; "
        f"{config.get('load', 'Locust')} {config['users']} connections × {config['seconds']:g} s "
        f"per run. ratio: req/s ÷ "
        f"hello's just before; SQL ms: one request in process; CPU ms: gunicorn's CPU per "
        f"request under load"
    )
    header = (
        f"{'page':<16}{'req/s':>8}{'hello':>8}{'ratio':>7}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'size':>10}{'queries':>8}{'SQL ms':>8}{'CPU ms':>8}{'fail':>6}"
    )
    for name, data_set in results["data_sets"].items():
        lines += ["", f"{name}: {describe(data_set['generated'])}", header, "-" * len(header)]
        for key, page in data_set["pages"].items():
            if key == "hello":
                continue
            lines.append(
                f"{key:<16}{_num(page.get('rps'), 1):>8}{_num(page.get('hello_rps')):>8}"
                f"{_num(page.get('ratio'), 3):>7}{_num(page.get('p50_ms')):>7}"
                f"{_num(page.get('p95_ms')):>7}{_num(page.get('p99_ms')):>7}"
                f"{_size(page['bytes']):>10}{page['queries']:>8}{page['sql_ms']:>8.1f}"
                f"{_num(page.get('server_cpu_ms'), 1):>8}{_num(page.get('failures')):>6}"
                f"{'  ' + page['error'] if page['error'] else ''}"
            )
        mail = data_set.get("mail")
        if mail:
            verdict = "meets" if mail["meets_target"] else "BELOW"
            lines.append(
                f"mail queue: {mail['sent']:,} of {mail['emails']:,} e-mails sent in "
                f"{mail['seconds_first_to_last']:.1f} s = {mail['per_second']:.0f}/s "
                f"({verdict} the {mail['target_per_second']}/s target; one Celery worker, "
                f"concurrency {mail['worker_concurrency']}; {mail['failed']} failed)"
            )
    if "growth" in results:
        header = (
            f"{'tenth → full':<16}{'req/s':>8}{'ratio':>8}{'p50':>8}{'p95':>8}"
            f"{'queries':>12}{'SQL ms':>9}{'CPU ms':>8}{'size':>8}"
        )
        lines += ["", "Growth from the tenth to the full data set (full ÷ tenth)", header]
        lines.append("-" * len(header))
        for key, change in results["growth"].items():
            if key in ("hello", "mail"):
                continue
            lines.append(
                f"{key:<16}{_times(change['rps']):>8}{_times(change['ratio']):>8}"
                f"{_times(change['p50']):>8}{_times(change['p95']):>8}{change['queries']:>12}"
                f"{_times(change['sql_ms']):>9}{_times(change.get('server_cpu_ms')):>8}"
                f"{_times(change['bytes']):>8}"
            )
        if "mail" in results["growth"]:
            lines.append(f"{'mail queue':<16}{_times(results['growth']['mail']['per_second']):>8}")
    return "\n".join(lines)
