from conftest import make_user
from csgrants.core.permissions import has_role


def test_has_role(db, provider):
    user = make_user("x", "reviewer")
    assert has_role(user, "reviewer")
    assert not has_role(user, "provider")
