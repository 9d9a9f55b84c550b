"""Shipped benchmark sets, the tier boundary rule, the DORA cluster and user set files with their errors."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import pytest

from flowgauge.errors import FlowgaugeError
from flowgauge.metrics.benchmark_sets import (
    CONFIDENCES,
    DEFAULT_SET_ID,
    DORA_KEYS,
    LATEST_SET_ID,
    METRICS,
    BenchmarkFileError,
    dora_cluster,
    load_benchmark_sets,
)

SHIPPED_IDS = {
    "linearb-2026-p75",
    "linearb-2025-p75",
    "linearb-2024-p75",
    "linearb-2024-mean",
    "linearb-2023-p75",
    "linearb-2022-mean",
    "dora-2021",
    "dora-2023",
    "dora-2024",
}


@pytest.fixture(scope="module")
def sets():
    return load_benchmark_sets()


# --- shipped sets -------------------------------------------------------------------------------------------


def test_every_shipped_file_is_found_through_package_resources(sets):
    folder = resources.files("flowgauge.metrics").joinpath("benchmarks")
    files = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    assert len(files) == len(SHIPPED_IDS)
    # One set per file, plus Latest published, which is built from them rather than read from a file.
    assert set(sets) == SHIPPED_IDS | {LATEST_SET_ID}
    assert sorted(sets[set_id].path.name for set_id in SHIPPED_IDS) == files


def test_default_set_is_latest_published_read_against_linearb_2026(sets):
    default = sets[DEFAULT_SET_ID]
    assert DEFAULT_SET_ID == LATEST_SET_ID
    assert (default.name, default.headline, default.statistic) == ("Latest published", "LinearB 2026 (P75)", None)
    assert (default.publisher, default.year) == ("LinearB", 2026)
    assert default.tier_names == ("Elite", "Good", "Fair", "Needs focus")


def test_every_band_names_its_source_confidence_and_a_statistic_the_set_allows(sets):
    for benchmark_set in sets.values():
        assert benchmark_set.confidence in CONFIDENCES
        for metric_id, band in benchmark_set.bands.items():
            assert band.metric_id == metric_id and metric_id in METRICS
            assert band.source_url.startswith("https://"), (benchmark_set.set_id, metric_id)
            assert band.confidence in CONFIDENCES
            assert band.unit == METRICS[metric_id].unit
            # A band keeps the statistic of the set it was published in (Latest published mixes them).
            origin = sets[band.origin_set_id]
            expected = "rate" if METRICS[metric_id].kind == "rate" else origin.statistic
            assert band.statistic == expected, (benchmark_set.set_id, metric_id)
            assert (band.origin_name, band.publisher, band.year) == (origin.name, origin.publisher, origin.year)
            assert len(band.tier_names) == len(band.thresholds) + 1
            # Every band that is not primary says why in its note, except plain secondary transcriptions.
            if band.confidence == "inferred":
                assert band.note, (benchmark_set.set_id, metric_id)


@pytest.mark.parametrize(
    ("set_id", "metric_id", "thresholds", "confidence"),
    [
        ("linearb-2026-p75", "cycle_time", (25, 73, 161), "primary"),
        ("linearb-2026-p75", "deploy_time", (16, 107, 277), "secondary"),
        ("linearb-2026-p75", "pickup_time", (1, 5, 16), "secondary"),
        ("linearb-2026-p75", "review_time", (3, 15, 24), "secondary"),
        ("linearb-2026-p75", "merge_time", (1, 4, 16), "secondary"),
        ("linearb-2026-p75", "change_failure_rate", (1, 5, 17), "secondary"),
        ("linearb-2026-p75", "pr_size", (100, 156, 228), "secondary"),
        ("linearb-2026-p75", "rework_rate", (3, 6, 8), "secondary"),
        ("linearb-2026-p75", "refactor_rate", (11, 17, 22), "secondary"),
        ("linearb-2026-p75", "merge_frequency", (0.66, 1.2, 2.0), "secondary"),
        ("linearb-2026-p75", "deploy_frequency", (0.2, 0.5, 1.2), "secondary"),
        ("linearb-2025-p75", "cycle_time", (26, 81, 167), "secondary"),
        ("linearb-2025-p75", "merge_frequency", (2.25,), "secondary"),
        ("linearb-2025-p75", "planning_accuracy", (80,), "secondary"),
        ("linearb-2024-p75", "cycle_time", (19, 66, 218), "primary"),
        ("linearb-2024-p75", "coding_time", (0.5, 2.5, 24), "primary"),
        ("linearb-2024-p75", "pickup_time", (1, 3, 14), "primary"),
        ("linearb-2024-p75", "review_time", (0.5, 3, 18), "primary"),
        ("linearb-2024-p75", "deploy_time", (3, 69, 197), "primary"),
        ("linearb-2024-p75", "pr_size", (98, 148, 218), "primary"),
        ("linearb-2024-p75", "deploy_frequency_per_dev", (0.03, 0.09, 0.2), "inferred"),
        ("linearb-2024-mean", "cycle_time", (73, 155, 304), "primary"),
        ("linearb-2024-mean", "coding_time", (19, 44, 99), "primary"),
        ("linearb-2024-mean", "pickup_time", (7, 12, 20), "primary"),
        ("linearb-2024-mean", "review_time", (5, 14, 29), "primary"),
        ("linearb-2024-mean", "deploy_time", (6, 50, 137), "primary"),
        ("linearb-2024-mean", "pr_size", (219, 395, 793), "primary"),
        ("linearb-2024-mean", "rework_rate", (2, 5, 7), "primary"),
        ("linearb-2024-mean", "change_failure_rate", (1, 8, 39), "primary"),
        ("linearb-2024-mean", "refactor_rate", (9, 15, 21), "primary"),
        ("linearb-2024-mean", "merge_frequency", (1, 1.5, 2), "primary"),
        ("linearb-2023-p75", "cycle_time", (42, 95, 188), "primary"),
        ("linearb-2023-p75", "coding_time", (0.5, 1, 4.5), "primary"),
        ("linearb-2023-p75", "review_time", (1, 5, 21), "primary"),
        ("linearb-2023-p75", "deploy_time", (1, 20, 196), "primary"),
        ("linearb-2023-p75", "pr_size", (105, 155, 229), "primary"),
        ("linearb-2023-p75", "rework_rate", (8, 11, 14), "primary"),
        ("linearb-2023-p75", "deploy_frequency", (0.5, 1, 5), "inferred"),
        ("linearb-2022-mean", "cycle_time", (48, 119, 210), "primary"),
        ("linearb-2022-mean", "deploy_time", (4, 48, 192), "primary"),
        ("linearb-2022-mean", "pr_size", (225, 400, 800), "primary"),
        ("linearb-2022-mean", "planning_accuracy", (40, 64, 80), "primary"),
        ("dora-2023", "lead_time_for_changes", (24, 168, 720), "inferred"),
        ("dora-2023", "change_failure_rate", (7.5, 12.5, 39.5), "inferred"),
        ("dora-2023", "failed_deployment_recovery_time", (1, 24, 720), "inferred"),
        ("dora-2024", "lead_time_for_changes", (24, 168, 720), "secondary"),
        ("dora-2024", "failed_deployment_recovery_time", (1, 24, 168), "inferred"),
        ("dora-2024", "deploy_frequency", (0.23, 1, 5), "inferred"),
        ("dora-2021", "mttr", (1, 24, 4320), "inferred"),
        ("dora-2021", "lead_time_for_changes", (24, 720, 4320), "inferred"),
        ("dora-2021", "change_failure_rate", (16,), "secondary"),
    ],
)
def test_published_thresholds_and_their_confidence(sets, set_id, metric_id, thresholds, confidence):
    band = sets[set_id].band(metric_id)
    assert band.thresholds == thresholds
    assert band.confidence == confidence


def test_linearb_2024_is_split_by_statistic_and_keeps_its_quirks(sets):
    p75, mean = sets["linearb-2024-p75"], sets["linearb-2024-mean"]
    assert (p75.statistic, mean.statistic) == ("p75", "mean")
    assert p75.band("cycle_time").statistic == "p75" and mean.band("cycle_time").statistic == "mean"
    assert p75.band("change_failure_rate").statistic == "rate"
    assert "sic" in mean.band("pickup_time").note
    assert p75.band("mttr") is None and "percent" in p75.omitted["mttr"]
    assert p75.band("deploy_frequency") is None  # 2024 publishes deploys per developer only
    assert p75.band("deploy_frequency_per_dev").unit == "deployments per developer per week"
    assert "unit" in sets["linearb-2026-p75"].band("deploy_frequency").note


def test_dora_2024_leaves_out_its_unordered_change_failure_rates(sets):
    dora_2024 = sets["dora-2024"]
    assert dora_2024.classify("change_failure_rate", 3.0) is None
    assert "not ordered" in dora_2024.omitted["change_failure_rate"]
    assert "deployment_rework_rate" in dora_2024.omitted
    assert sets["dora-2023"].classify("change_failure_rate", 3.0).name == "Elite"


# --- the boundary rule ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "tier"),
    [
        (0.0, "Elite"),
        (24.99, "Elite"),
        (25.0, "Good"),  # on a threshold: the worse tier
        (25.01, "Good"),
        (72.0, "Good"),
        (72.5, "Good"),  # between the printed ranges 25-72 and 73-161: the better tier
        (72.99, "Good"),
        (73.0, "Fair"),
        (73.01, "Fair"),
        (160.99, "Fair"),
        (161.0, "Needs focus"),  # printed '> 161': the one value the rule places one tier lower
        (161.01, "Needs focus"),
        (10_000.0, "Needs focus"),
    ],
)
def test_lower_is_better_boundaries(sets, hours, tier):
    result = sets["linearb-2026-p75"].classify("cycle_time", hours)
    assert result.name == tier
    assert result.rank == ("Elite", "Good", "Fair", "Needs focus").index(tier)
    assert result.band.metric_id == "cycle_time"


@pytest.mark.parametrize(
    ("prs_per_dev_week", "tier"),
    [
        (5.0, "Elite"),
        (2.01, "Elite"),
        (2.0, "Good"),  # '> 2.0' is Elite: exactly 2.0 is Good
        (1.99, "Good"),
        (1.21, "Good"),
        (1.2, "Fair"),  # on a threshold: the worse tier
        (1.19, "Fair"),
        (0.67, "Fair"),
        (0.66, "Needs focus"),
        (0.65, "Needs focus"),
        (0.0, "Needs focus"),
    ],
)
def test_higher_is_better_boundaries(sets, prs_per_dev_week, tier):
    assert sets["linearb-2026-p75"].classify("merge_frequency", prs_per_dev_week).name == tier


@pytest.mark.parametrize(
    ("percent", "tier"),
    [(80.01, "Elite"), (80.0, "Strong"), (64.5, "Strong"), (64.0, "Fair"), (40.01, "Fair"), (40.0, "Needs focus")],
)
def test_higher_is_better_with_printed_gaps(sets, percent, tier):
    # LinearB 2022 planning accuracy: > 80% / 65-79% / 40-64% / < 40%
    assert sets["linearb-2022-mean"].classify("planning_accuracy", percent).name == tier


@pytest.mark.parametrize(
    ("hours", "tier"), [(11.99, "Strong"), (12.0, "Fair"), (13.0, "Fair"), (20.0, "Needs improvement")]
)
def test_overlapping_published_ranges_start_the_worse_tier_where_printed(sets, hours, tier):
    # LinearB 2024 mean pickup time: Strong 7-13, Fair 12-20 (sic)
    assert sets["linearb-2024-mean"].classify("pickup_time", hours).name == tier


def test_no_tier_without_a_benchmark_or_without_a_value(sets):
    linearb_2026 = sets["linearb-2026-p75"]
    assert linearb_2026.band("coding_time") is None
    assert linearb_2026.classify("coding_time", 1.0) is None  # no benchmark in this set
    assert linearb_2026.classify("cycle_time", None) is None
    assert linearb_2026.classify("cycle_time", math.nan) is None
    assert linearb_2026.classify("not_a_metric", 1.0) is None


def test_partial_band_has_its_own_two_tiers(sets):
    linearb_2025 = sets["linearb-2025-p75"]
    assert linearb_2025.classify("merge_frequency", 2.3).name == "Elite"
    below = linearb_2025.classify("merge_frequency", 2.25)
    assert (below.name, below.rank) == ("Below elite", 1)


# --- the DORA cluster -----------------------------------------------------------------------------------------

ELITE_SELECTION = {
    "deploy_frequency": 12.0,  # deployments per week
    "lead_time_for_changes": 6.0,  # hours
    "change_failure_rate": 2.0,  # percent
    "failed_deployment_recovery_time": 0.5,  # hours
}


def test_dora_cluster_is_the_worst_cluster_among_the_keys(sets):
    dora_2023 = sets["dora-2023"]
    elite = dora_cluster(ELITE_SELECTION, dora_2023)
    assert (elite.name, elite.rank, elite.missing) == ("Elite", 0, ())
    assert set(elite.tiers) == set(DORA_KEYS)

    slow_recovery = dora_cluster({**ELITE_SELECTION, "failed_deployment_recovery_time": 200.0}, dora_2023)
    assert slow_recovery.name == "Medium"  # 200 h is 1 day to 1 month: Medium; the other keys are Elite
    assert slow_recovery.tiers["failed_deployment_recovery_time"].name == "Medium"
    assert slow_recovery.tiers["lead_time_for_changes"].name == "Elite"

    weekly = dora_cluster({**ELITE_SELECTION, "deploy_frequency": 1.0, "change_failure_rate": 70.0}, dora_2023)
    assert weekly.name == "Low"


def test_dora_cluster_lists_the_keys_it_could_not_use(sets):
    partial = dora_cluster(
        {"lead_time_for_changes": 30.0, "change_failure_rate": None, "cycle_time": 1.0}, sets["dora-2023"]
    )
    assert (partial.name, tuple(partial.tiers)) == ("High", ("lead_time_for_changes",))
    assert partial.missing == ("deploy_frequency", "change_failure_rate", "failed_deployment_recovery_time")

    dora_2024 = dora_cluster(ELITE_SELECTION, sets["dora-2024"])
    assert dora_2024.name == "Elite"
    assert dora_2024.missing == ("change_failure_rate",)  # not banded in DORA 2024

    assert dora_cluster({}, sets["dora-2023"]) is None
    assert dora_cluster(ELITE_SELECTION, sets["linearb-2025-p75"]) is None  # no DORA key banded there


# --- user sets ------------------------------------------------------------------------------------------------

USER_SET = """\
[set]
id = "team-targets"
name = "Our targets"
publisher = "Platform team"
year = 2026
statistic = "median"
tier_names = ["On target", "Close", "Off target"]
source_url = "https://wiki.example.com/targets"
confidence = "primary"

[bands.cycle_time]
unit = "hours"
direction = "lower"
thresholds = [24, 48]
confidence = "primary"

[bands.deploy_frequency]
unit = "deployments per week"
direction = "higher"
thresholds = [1, 5]
confidence = "inferred"
note = "Our own guess."
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_sets_are_loaded_beside_the_shipped_ones(tmp_path):
    path = write(tmp_path / "benchmarks", "targets.toml", USER_SET)
    write(tmp_path / "benchmarks", "README.md", "not a set")
    sets = load_benchmark_sets(tmp_path / "benchmarks")
    assert set(sets) == SHIPPED_IDS | {LATEST_SET_ID, "team-targets"}
    targets = sets["team-targets"]
    assert (targets.name, targets.path, targets.statistic) == ("Our targets", path, "median")
    assert targets.classify("cycle_time", 30.0).name == "Close"
    assert targets.band("cycle_time").source_url == "https://wiki.example.com/targets"  # defaults to the set's
    assert targets.band("cycle_time").statistic == "median"
    assert targets.band("deploy_frequency").statistic == "rate"
    assert targets.classify("deploy_frequency", 5.5).name == "On target"
    assert targets.classify("pr_size", 10.0) is None


def test_a_missing_user_folder_adds_nothing_and_a_file_in_its_place_is_an_error(tmp_path):
    assert set(load_benchmark_sets(tmp_path / "absent")) == SHIPPED_IDS | {LATEST_SET_ID}
    not_a_folder = write(tmp_path, "benchmarks", "")
    with pytest.raises(BenchmarkFileError, match="is a file, not a folder"):
        load_benchmark_sets(not_a_folder)


def test_benchmark_file_error_is_a_flowgauge_error():
    assert issubclass(BenchmarkFileError, FlowgaugeError)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "thresholds = [24, 48]",
            "thresholds = [24, 48",
            "{path}:15: invalid TOML: Unclosed array",  # tomllib notices on the next line
        ),
        (
            "[bands.cycle_time]",
            "[bands.cycle_tim]",
            "{path}:11: bands.cycle_tim: unknown metric id 'cycle_tim' (did you mean 'cycle_time'?)",
        ),
        (
            "thresholds = [24, 48]",
            "thresholds = [48, 24]",
            "{path}:14: bands.cycle_time.thresholds: must be strictly ascending; got [48, 24]",
        ),
        (
            "thresholds = [24, 48]",
            "thresholds = [24, 48, 96]",
            "{path}:14: bands.cycle_time.thresholds: 3 thresholds make 4 tiers but there are 3 tier names "
            "(On target, Close, Off target)",
        ),
        (
            'direction = "lower"',
            'direction = "down"',
            "{path}:13: bands.cycle_time.direction: must be one of lower, higher; got 'down'",
        ),
        (
            'direction = "lower"',
            'direction = "higher"',
            "{path}:13: bands.cycle_time.direction: cycle_time is lower-is-better; got 'higher'",
        ),
        (
            'statistic = "median"',
            'statistic = "p50"',
            "{path}:6: set.statistic: must be one of median, p75, p90, mean; got 'p50'",
        ),
        (
            'confidence = "inferred"',
            'confidence = "guess"',
            "{path}:21: bands.deploy_frequency.confidence: must be one of primary, secondary, inferred; got 'guess'",
        ),
        (
            'unit = "hours"',
            'unit = "minutes"',
            "{path}:12: bands.cycle_time.unit: cycle_time is measured in 'hours'; got 'minutes'",
        ),
        (
            'confidence = "inferred"',
            'confidence = "inferred"\nstatistic = "p75"',
            "{path}:22: bands.deploy_frequency.statistic: deploy_frequency is one rate per period: use 'rate'; "
            "got 'p75'",
        ),
        (
            'unit = "hours"',
            'unit = "hours"\nstatistic = "p75"',
            "{path}:13: bands.cycle_time.statistic: the set compares at 'median'; a set holds one statistic, got 'p75'",
        ),
        (
            "thresholds = [24, 48]",
            "treshold = [24, 48]",
            "{path}:14: bands.cycle_time.treshold: unknown key 'treshold' (did you mean 'thresholds'?)",
        ),
        (
            'unit = "hours"\n',
            "",
            "{path}:11: bands.cycle_time: missing key 'unit'",
        ),
        (
            'tier_names = ["On target", "Close", "Off target"]',
            'tier_names = ["On target"]',
            "{path}:7: set.tier_names: must list at least two tier names, best first; got ['On target']",
        ),
        (
            'id = "team-targets"',
            'id = "Team Targets"',
            "{path}:2: set.id: must be lower-case letters, digits and '-'; got 'Team Targets'",
        ),
    ],
)
def test_invalid_user_file_names_file_line_and_key(tmp_path, old, new, message):
    assert old in USER_SET
    path = write(tmp_path / "benchmarks", "targets.toml", USER_SET.replace(old, new, 1))
    with pytest.raises(BenchmarkFileError) as raised:
        load_benchmark_sets(tmp_path / "benchmarks")
    assert str(raised.value) == message.format(path=path)


def test_a_set_id_may_be_defined_once(tmp_path):
    folder = tmp_path / "benchmarks"
    first = write(folder, "a.toml", USER_SET)
    second = write(folder, "b.toml", USER_SET)
    with pytest.raises(BenchmarkFileError) as raised:
        load_benchmark_sets(folder)
    assert str(raised.value) == f"{second}:2: set.id: 'team-targets' is already defined in {first}"

    second.unlink()
    first.write_text(USER_SET.replace('id = "team-targets"', f'id = "{DEFAULT_SET_ID}"'), encoding="utf-8")
    shipped = load_benchmark_sets()[DEFAULT_SET_ID].path
    with pytest.raises(BenchmarkFileError) as raised:
        load_benchmark_sets(folder)
    assert str(raised.value) == f"{first}:2: set.id: '{DEFAULT_SET_ID}' is already defined in {shipped}"


def test_a_metric_is_either_banded_or_omitted(tmp_path):
    text = USER_SET + '\n[omitted.cycle_time]\nnote = "not measured"\n'
    path = write(tmp_path / "benchmarks", "targets.toml", text)
    with pytest.raises(BenchmarkFileError) as raised:
        load_benchmark_sets(tmp_path / "benchmarks")
    assert str(raised.value) == (
        f"{path}:24: omitted.cycle_time: cycle_time has a band in this file; a metric is banded or omitted"
    )


@pytest.mark.parametrize(
    ("deploys_per_week", "cluster"),
    [(5.01, "Elite"), (5.0, "High"), (1.01, "High"), (1.0, "Medium"), (0.24, "Medium"), (0.23, "Low"), (0.0, "Low")],
)
def test_dora_deploy_frequency_boundaries(sets, deploys_per_week, cluster):
    # daily = 5 deployments per week (working days), weekly = 1, monthly = 0.23
    assert sets["dora-2024"].classify("deploy_frequency", deploys_per_week).name == cluster


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "thresholds = [24, 48]",
            "thresholds = [24, nan]",
            "{path}:14: bands.cycle_time.thresholds: must be a list of numbers; got [24, nan]",
        ),
        (
            "thresholds = [24, 48]\nconfidence",
            "thresholds = [24, 48]\ntier_names = ['Fast', 'Slow']\nconfidence",
            "{path}:15: bands.cycle_time.tier_names: 2 thresholds make 3 tiers but there are 2 tier names (Fast, Slow)",
        ),
        ("[set]\n", "[sett]\n", "{path}:1: sett: unknown key 'sett' (did you mean 'set'?)"),
    ],
)
def test_more_invalid_user_files(tmp_path, old, new, message):
    path = write(tmp_path / "benchmarks", "targets.toml", USER_SET.replace(old, new, 1))
    with pytest.raises(BenchmarkFileError) as raised:
        load_benchmark_sets(tmp_path / "benchmarks")
    assert str(raised.value) == message.format(path=path)


def test_percent_thresholds_stay_within_0_and_100(tmp_path):
    text = USER_SET + '\n[bands.rework_rate]\nunit = "percent"\ndirection = "lower"\nthresholds = [50, 120]\n'
    path = write(tmp_path / "benchmarks", "targets.toml", text + 'confidence = "primary"\n')
    with pytest.raises(BenchmarkFileError) as raised:
        load_benchmark_sets(tmp_path / "benchmarks")
    assert str(raised.value) == (
        f"{path}:27: bands.rework_rate.thresholds: must lie between 0 and 100 (percent); got [50, 120]"
    )


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    path = folder / "latin1.toml"
    path.write_bytes(USER_SET.replace("Our targets", "Zielwerte für uns").encode("latin-1"))
    with pytest.raises(BenchmarkFileError, match=rf"^{path}:1: not UTF-8 text"):
        load_benchmark_sets(folder)


def test_every_metric_of_the_catalogue_can_be_benchmarked_in_its_own_unit():
    from flowgauge.metrics.catalogue import METRICS as CATALOGUE

    assert set(METRICS) == set(CATALOGUE)
    for metric_id, definition in CATALOGUE.items():
        assert METRICS[metric_id].unit == definition.unit, metric_id
        assert (METRICS[metric_id].kind == "distribution") == (definition.kind == "distribution"), metric_id


def test_a_set_without_bands_is_an_error(tmp_path):
    text = USER_SET.split("\n[bands.")[0] + '\n[omitted.cycle_time]\nnote = "later"\n'
    path = write(tmp_path / "benchmarks", "targets.toml", text)
    with pytest.raises(BenchmarkFileError) as raised:
        load_benchmark_sets(tmp_path / "benchmarks")
    assert str(raised.value) == f"{path}:1: set: the file has no [bands.<metric_id>] table, so nothing to compare"
