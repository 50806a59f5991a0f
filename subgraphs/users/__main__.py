"""`python -m subgraphs.users`: serve the users subgraph."""

from subgraphs.kernel.runtime.serve import serve
from subgraphs.users.app import build_app
from subgraphs.users.settings import UsersSettings

if __name__ == "__main__":
    serve("users", UsersSettings(), build_app)
