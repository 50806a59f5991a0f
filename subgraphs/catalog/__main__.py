"""`python -m subgraphs.catalog`: serve the catalog subgraph."""

from subgraphs.catalog.app import build_app
from subgraphs.catalog.settings import CatalogSettings
from subgraphs.kernel.runtime.serve import serve

if __name__ == "__main__":
    serve("catalog", CatalogSettings(), build_app)
