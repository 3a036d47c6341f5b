"""Markdown tables of the lever experiments (bench/experiments.json), for docs/performance.md."""

from __future__ import annotations


def eot_markdown(x: dict) -> list[str]:
    pauses = x["pauses"]
    head = ["policy", "real end: wait p50 / p95", "ends inside plain answers"]
    for p in pauses:
        head.append(f"{p:g} s pause ends turn (mid / between)")
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for r in x["rows"]:
        cells = [
            r["policy"],
            f"{r['real_end_wait_p50_ms']:.0f} / {r['real_end_wait_p95_ms']:.0f} ms",
            str(r["real_answers_cut"]),
        ]
        for p in pauses:
            m, b = r[f"mid_{p:g}"], r[f"between_{p:g}"]
            cells.append(f"{m[0]}/{m[1]}, {b[0]}/{b[1]}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def fitted_markdown(x: dict) -> list[str]:
    names = [k for k in x["decode_ms"][0] if k not in ("seconds", "words")]
    lines = [
        "| audio | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for row in x["decode_ms"]:
        lines.append(f"| {row['seconds']} s | " + " | ".join(f"{row[n]} ms" for n in names) + " |")
    lines += [
        "",
        "| recognizer | WER live path (simulated) | its decode time | WER whole file | "
        "whole-file RTF |",
        "|---|---|---|---|---|",
    ]
    for r in x["live_path"]:
        lines.append(
            f"| {r['recognizer']} | {r['wer_live_sim'] * 100:.1f} % | {r['live_sim_decode_s']} s "
            f"| {r['wer_whole_file'] * 100:.1f} % | {r['whole_file_rtf']:.3f} |"
        )
    return lines


def live_wer_markdown(x: dict) -> list[str]:
    lines = ["| live path variant (long answers) | WER | turns |", "|---|---|---|"]
    for r in x["rows"]:
        lines.append(f"| {r['variant']} | {r['wer'] * 100:.1f} % | {r.get('turns', '')} |")
    return lines
