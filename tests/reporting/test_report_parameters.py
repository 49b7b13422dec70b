import nbformat
import pytest

from partnership_eval.reporting.parameters import (
    ParameterError,
    notebook_parameters,
    parse_assignments,
    validate_parameters,
)


def _notebook(tmp_path, source: str):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "partnership-eval", "language": "python"}
    path = tmp_path / "params.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def typed(tmp_path):
    return _notebook(
        tmp_path,
        'area: str = "Cumbria"  # LA or region\n'
        "first_year: int = 2010  # first year\n"
        "scale: float = 1.5  # a scale\n"
        "strict: bool = False  # strict mode\n"
        'kinds: list[str] = ["cluster"]  # partnership kinds\n'
        "years: list[int] = [2012, 2019]  # years\n"
        "seed: Optional[int] = None  # seed",
    )


def test_declared_parameters_come_with_type_default_and_help(ok_notebook):
    params = notebook_parameters(ok_notebook)
    assert list(params) == ["area", "count"]
    assert params["count"].annotation == "int"
    assert params["count"].default == "3"
    assert params["area"].help == "LA name, LA code or region"


def test_unknown_parameter_is_named_with_the_valid_ones(ok_notebook):
    with pytest.raises(ParameterError) as err:
        validate_parameters(ok_notebook, {"areas": "Devon"})
    message = str(err.value)
    assert "no parameter 'areas'" in message
    assert "area (str" in message and "count (int" in message


def test_wrong_type_is_named_with_the_valid_ones(ok_notebook):
    with pytest.raises(ParameterError) as err:
        validate_parameters(ok_notebook, {"count": "three"})
    message = str(err.value)
    assert "parameter 'count' must be int, got 'three'" in message
    assert "valid parameters: area (str" in message


def test_bool_is_not_accepted_for_int(ok_notebook):
    with pytest.raises(ParameterError, match="'count' must be int"):
        validate_parameters(ok_notebook, {"count": True})


def test_text_values_are_converted_to_declared_types(typed):
    checked = validate_parameters(
        typed,
        {
            "area": "South West",
            "first_year": "2015",
            "scale": "2",
            "strict": "yes",
            "kinds": "cluster,triad",
            "years": "2012,2019",
            "seed": "7",
        },
        from_text=True,
    )
    assert checked == {
        "area": "South West",
        "first_year": 2015,
        "scale": 2,
        "strict": True,
        "kinds": ["cluster", "triad"],
        "years": [2012, 2019],
        "seed": 7,
    }


def test_list_elements_are_checked(typed):
    with pytest.raises(ParameterError, match="'years' must be list\\[int\\]"):
        validate_parameters(typed, {"years": [2012, "2019"]})


def test_optional_accepts_none(typed):
    assert validate_parameters(typed, {"seed": None}) == {"seed": None}


def test_parameter_papermill_cannot_read_is_an_error(tmp_path):
    path = _notebook(tmp_path, "first_year: int = 2010  # first year (2015 = 2014/15)")
    with pytest.raises(ParameterError, match="papermill cannot read parameter 'first_year'"):
        notebook_parameters(path)


def test_parameter_without_annotation_is_an_error(tmp_path):
    path = _notebook(tmp_path, "area = 'Devon'  # LA")
    with pytest.raises(ParameterError, match="'area'"):
        notebook_parameters(path)


def test_notebook_without_parameters_cell_is_an_error(tmp_path):
    path = _notebook(tmp_path, "area: str = 'Devon'  # LA")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].metadata["tags"] = []
    nbformat.write(nb, path)
    with pytest.raises(ParameterError, match="exactly one cell tagged 'parameters'"):
        notebook_parameters(path)


def test_assignments_split_at_the_first_equals():
    assert parse_assignments(["area=Devon", "label=a=b"]) == {"area": "Devon", "label": "a=b"}


def test_assignment_without_equals_is_an_error():
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_assignments(["Devon"])


def test_single_text_value_for_a_list_becomes_a_one_item_list(typed):
    checked = validate_parameters(typed, {"kinds": "federation", "years": "2019"}, from_text=True)
    assert checked == {"kinds": ["federation"], "years": [2019]}


def test_bracketed_text_list_of_names_is_split(typed):
    checked = validate_parameters(typed, {"kinds": "[cluster, triad]"}, from_text=True)
    assert checked == {"kinds": ["cluster", "triad"]}
