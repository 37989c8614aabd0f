"""The bench's plumbing, not its numbers: interleaved repeats, verdicts only when the ranges are apart, rows printed
as they come, a chapter that fails or runs out of time reported as a row (tiny notebooks in a fresh kernel)."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from rnnlab import bench


def _timing(ms):
    return bench.Timing(tuple(t / 1e3 for t in ms))


def test_timing_median_and_interquartile_range():
    t = _timing([5, 1, 3, 2, 4, 100, 3, 3, 2])
    assert t.median == pytest.approx(3e-3)
    assert t.iqr == pytest.approx((2e-3, 4e-3))  # the one slow call does not widen it
    assert t.format() == "3.0 ms [2.0–4.0]"


def test_calls_are_interleaved_after_one_warm_up_each():
    calls = []
    ours, torch = bench.interleaved_times(lambda: calls.append("a"), lambda: calls.append("b"), repeats=7)
    assert calls == ["a", "b"] * 8
    assert len(ours.times) == len(torch.times) == 7


@pytest.mark.parametrize("ours, torch, expected", [
    ([10, 11, 12, 11, 10, 11, 12], [30, 31, 29, 30, 32, 30, 31], "ours faster (2.73x as fast)"),
    ([30, 31, 29, 30, 32, 30, 31], [10, 11, 12, 11, 10, 11, 12], "ours slower (2.73x the time)"),
    ([10, 20, 12, 18, 11, 19, 15], [14, 16, 13, 17, 15, 15, 16], "no clear difference"),
])
def test_a_verdict_needs_ranges_that_do_not_overlap(ours, torch, expected):
    assert bench.verdict(_timing(ours), _timing(torch)).startswith(expected)


def test_rows_are_printed_as_they_come_and_a_failing_section_becomes_a_row(capsys):
    def rows():
        yield "first", "setting", "1 ms", "ok"
        print("-- between --")
        raise RuntimeError("no torch here\nsecond line")

    bench.print_rows("a section", rows)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("first") and lines[1] == "-- between --"
    assert lines[2].startswith("a section") and lines[2].endswith("failed: RuntimeError: no torch here")
    starts = [len(bench.format_row(("x",) * i + ("y",)).rsplit("  ", 1)[0]) + 2 for i in (1, 2, 3)]
    assert starts == [46 + 2, 46 + 2 + 38 + 2, 46 + 2 + 38 + 2 + 28 + 2]  # fixed columns


def test_main_prints_the_header_first(monkeypatch, capsys, tmp_path):
    for name in ("bench_bptt", "bench_gated", "bench_explorers", "bench_scans"):
        monkeypatch.setattr(bench, name, lambda name=name: [(name, "", "", "")])
    bench.main(["--skip-chapters", "--html", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["what", "setting", "time:", "median", "[IQR]", "/", "size", "verdict"]
    assert [line.split()[0] for line in lines[1:]] == ["bench_bptt", "bench_gated", "bench_explorers", "bench_scans"]


def _notebook(folder, name, source):
    path = folder / f"{name}.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(source)], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}), path)
    return path


def test_a_chapter_that_fails_is_a_row_and_the_next_one_still_runs(tmp_path):
    (tmp_path / "chapters").mkdir()
    _notebook(tmp_path / "chapters", "01_fails", "1 / 0")
    _notebook(tmp_path / "chapters", "02_ok", "print(1 + 1)")
    rows = list(bench.bench_chapters(tmp_path, timeout=300))
    assert [r[0] for r in rows] == ["chapter 01_fails", "chapter 02_ok"]
    assert rows[0][2:] == ("-", "failed: ZeroDivisionError: division by zero")
    assert rows[1][2].endswith(" s") and rows[1][3] == "ok"


def test_a_chapter_that_runs_out_of_time_is_a_row(tmp_path):
    (tmp_path / "appendix").mkdir()
    _notebook(tmp_path / "appendix", "hangs", "import time\ntime.sleep(600)")
    (row,) = bench.bench_chapters(tmp_path, timeout=4)  # ended after 4 s, its kernel with it
    assert row == ("chapter hangs", "execution, fresh kernel", "> 4 s", "timed out after 4 s")
