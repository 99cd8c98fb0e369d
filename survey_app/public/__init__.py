from .views import blueprint

__all__ = ["blueprint"]
from . import results  # noqa: E402,F401  (registers its routes on the blueprint)
from . import contact  # noqa: E402,F401  (registers its routes on the blueprint)
from . import media  # noqa: E402,F401  (registers its routes on the blueprint)
