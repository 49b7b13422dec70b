import pandas as pd

from partnership_eval.analyses.overview import figures as plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _trends(pupils_partnership: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2018, 2018, 2019, 2019, 2022, 2022],
            "group": ["partnership schools", "other schools"] * 3,
            "ks2_rwm_exp": [60.0, 55.0, 62.0, 56.0, 58.0, 54.0],
            "pupils": [pupils_partnership, 500, 40, 500, 40, 500],
            "schools": [3, 20, 3, 20, 3, 20],
        }
    )


def _plotted_points(fig) -> dict[str, int]:
    ax = fig.axes[0]
    return {line.get_label(): len(line.get_xdata()) for line in ax.lines}


def test_figures_display_as_identical_png_images():
    fig = plots.ks2_trend_plot(_trends(40)).figure
    first = fig._repr_png_()
    assert first.startswith(PNG_MAGIC)
    assert plots.ks2_trend_plot(_trends(40)).figure._repr_png_() == first


def test_ks2_points_resting_on_five_or_fewer_pupils_are_not_drawn():
    drawn = sum(len(line.get_xdata()) for line in plots.ks2_trend_plot(_trends(40)).lines)
    fewer = sum(len(line.get_xdata()) for line in plots.ks2_trend_plot(_trends(5)).lines)
    assert drawn - fewer == 1


def test_ks2_lines_break_where_there_were_no_tests():
    fig = plots.ks2_trend_plot(_trends(40)).figure
    spans = [tuple(line.get_xdata()) for line in fig.axes[0].lines if len(line.get_xdata())]
    assert all(2022 not in span or len(span) == 1 for span in spans)


def test_coverage_plot_leaves_out_kinds_without_members():
    coverage = pd.DataFrame(
        {
            "year": [2015, 2015, 2015, 2016, 2016, 2016],
            "kind": ["cluster", "triad", "any partnership"] * 2,
            "schools": [2, 0, 2, 3, 0, 3],
            "open_schools": [10] * 6,
            "share": [20.0, 0.0, 20.0, 30.0, 0.0, 30.0],
        }
    )
    fig = plots.coverage_plot(coverage).figure
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["clusters", "any partnership"]  # kinds in words


def test_size_plot_has_a_bar_per_band_and_setting():
    table = pd.DataFrame(
        {
            "size_band": pd.Categorical(
                ["under 75", "under 75", "75-149", "75-149"], categories=["under 75", "75-149"]
            ),
            "setting": ["rural", "urban"] * 2,
            "schools": [5, 1, 4, 2],
            "pupils": [200, 60, 400, 250],
        }
    )
    fig = plots.schools_by_size_plot(table).figure
    assert len(fig.axes[0].patches) >= 4


def _tick_labels(fig) -> list[str]:
    fig.canvas.draw()  # tick labels are set when the figure is drawn
    return [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]


def test_year_axes_show_whole_years_only():
    three_years = _trends(40)[lambda t: t["year"] < 2022]
    three_years = pd.concat([three_years, three_years.head(2).assign(year=2017)], ignore_index=True)
    labels = _tick_labels(plots.ks2_trend_plot(three_years).figure)
    assert labels and all(label.lstrip("−-").isdigit() for label in labels), labels
