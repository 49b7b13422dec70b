"""partnership_eval: evaluate school-to-school partnerships in England."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("partnership-eval")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
