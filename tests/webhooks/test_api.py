"""/api/webhooks/: maintainers register hooks for their projects, administrators for any
or all; owners see their hooks and delivery log; targets in private ranges are refused
unless an administrator allowed the network. Unversioned /api/ only."""

import pytest
import yaml

from events.models import Event
from tests.factories import ProjectFactory, UserFactory
from webhooks.models import Delivery, Webhook
from webhooks.services import create_webhook

pytestmark = pytest.mark.django_db

LIST = "/api/webhooks/"
PUBLIC_TARGET = "http://192.0.2.1/"  # TEST-NET-1 is reserved: see allowed_test_net
ALLOWED = ["192.0.2.0/24"]


@pytest.fixture(autouse=True)
def allowed_test_net(settings):
    """Hooks in these tests post to 192.0.2.0/24 (documentation range, never contacted)."""
    settings.WEBHOOK_ALLOWED_NETWORKS = list(ALLOWED)


def test_maintainer_registers_a_hook_for_their_project(client_for, maintainer, project):
    response = client_for(maintainer).post(
        LIST,
        {"target": PUBLIC_TARGET, "project": project.pk, "categories": ["patch-created"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["owner"] == maintainer.username
    assert data["project"]["id"] == project.pk
    assert data["categories"] == ["patch-created"]
    assert data["enabled"] is True
    assert len(data["secret"]) == 64  # generated, shown once
    assert data["url"] == f"http://testserver/api/webhooks/{data['id']}/"
    shown = client_for(maintainer).get(data["url"]).json()
    assert "secret" not in shown
    assert Webhook.objects.get(pk=data["id"]).secret == data["secret"]


def test_a_given_secret_is_not_echoed(client_for, maintainer, project):
    response = client_for(maintainer).post(
        LIST,
        {"target": PUBLIC_TARGET, "project": project.pk, "secret": "x" * 20},
        format="json",
    )
    assert response.status_code == 201
    assert "secret" not in response.json()


def test_short_secret_and_unknown_category_are_400(client_for, maintainer, project):
    client = client_for(maintainer)
    short = client.post(
        LIST, {"target": PUBLIC_TARGET, "project": project.pk, "secret": "short"}, format="json"
    )
    assert short.status_code == 400
    assert "secret" in short.json()
    unknown = client.post(
        LIST,
        {"target": PUBLIC_TARGET, "project": project.pk, "categories": ["nope"]},
        format="json",
    )
    assert unknown.status_code == 400
    assert "categories" in unknown.json()


def test_others_may_not_register_hooks(client_for):
    project = ProjectFactory()
    outsider = UserFactory()
    anonymous = client_for().post(LIST, {"target": PUBLIC_TARGET, "project": project.pk})
    assert anonymous.status_code == 403
    refused = client_for(outsider).post(
        LIST, {"target": PUBLIC_TARGET, "project": project.pk}, format="json"
    )
    assert refused.status_code == 403
    every_project = client_for(outsider).post(LIST, {"target": PUBLIC_TARGET}, format="json")
    assert every_project.status_code == 403
    assert not Webhook.objects.exists()


def test_maintainer_may_not_hook_every_project(client_for, maintainer):
    response = client_for(maintainer).post(LIST, {"target": PUBLIC_TARGET}, format="json")
    assert response.status_code == 403


def test_administrator_hooks_every_project(client_for, superuser):
    response = client_for(superuser).post(LIST, {"target": PUBLIC_TARGET}, format="json")
    assert response.status_code == 201
    assert response.json()["project"] is None


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8080/",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "ftp://example.org/",
        "http://user:pw@192.0.2.1/",
    ],
)
def test_private_and_odd_targets_are_refused(client_for, superuser, target):
    response = client_for(superuser).post(LIST, {"target": target}, format="json")
    assert response.status_code == 400, response.json()
    assert "target" in response.json()


def test_an_allowed_network_may_be_posted_to(client_for, superuser, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    response = client_for(superuser).post(LIST, {"target": "http://10.1.2.3/"}, format="json")
    assert response.status_code == 201


def test_owners_see_their_own_hooks_administrators_all(client_for, maintainer, project, superuser):
    mine = create_webhook(owner=maintainer, target=PUBLIC_TARGET, project=project)
    other_maintainer = UserFactory()
    project.maintainers.add(other_maintainer)
    theirs = create_webhook(owner=other_maintainer, target=PUBLIC_TARGET, project=project)

    listed = client_for(maintainer).get(LIST).json()
    assert [hook["id"] for hook in listed] == [mine.pk]
    assert client_for(maintainer).get(f"{LIST}{theirs.pk}/").status_code == 404
    everything = client_for(superuser).get(LIST).json()
    assert [hook["id"] for hook in everything] == [mine.pk, theirs.pk]
    assert client_for().get(LIST).status_code == 403


def test_owner_changes_and_removes_a_hook(client_for, maintainer, project):
    hook = create_webhook(owner=maintainer, target=PUBLIC_TARGET, project=project)
    Webhook.objects.filter(pk=hook.pk).update(
        enabled=False, consecutive_failures=10, disabled_reason="disabled after 10"
    )
    client = client_for(maintainer)
    changed = client.patch(
        f"{LIST}{hook.pk}/",
        {"enabled": True, "categories": ["check-created"], "target": "http://192.0.2.9/x"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    data = changed.json()
    assert (data["enabled"], data["consecutive_failures"], data["disabled_reason"]) == (
        True,
        0,
        "",
    )
    assert data["categories"] == ["check-created"]
    assert data["target"] == "http://192.0.2.9/x"
    private = client.patch(f"{LIST}{hook.pk}/", {"target": "http://127.0.0.1/"}, format="json")
    assert private.status_code == 400
    assert client.delete(f"{LIST}{hook.pk}/").status_code == 204
    assert not Webhook.objects.exists()


def test_delivery_log_is_the_owners(client_for, maintainer, project):
    hook = create_webhook(owner=maintainer, target=PUBLIC_TARGET, project=project)
    event = Event.objects.create(project=project, category=Event.Category.SERIES_CREATED)
    delivery = Delivery.objects.create(
        webhook=hook, event=event, category=event.category, attempts=1, last_error="HTTP 500"
    )
    log = client_for(maintainer).get(f"{LIST}{hook.pk}/deliveries/")
    assert log.status_code == 200
    assert log.json() == [
        {
            "id": str(delivery.uuid),
            "event": event.pk,
            "category": "series-created",
            "status": "pending",
            "created": log.json()[0]["created"],
            "attempts": 1,
            "next_attempt": log.json()[0]["next_attempt"],
            "delivered": None,
            "last_status_code": None,
            "last_error": "HTTP 500",
            "log": [],
        }
    ]
    assert client_for(UserFactory()).get(f"{LIST}{hook.pk}/deliveries/").status_code == 404


def test_versioned_urls_have_no_webhooks(client_for, superuser):
    for version in ("1.0", "1.3", "1.4"):
        assert client_for(superuser).get(f"/api/{version}/webhooks/").status_code == 404


def test_extensions_document_describes_webhooks(client_for):
    response = client_for().get("/api/extensions.yaml")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert {"/api/webhooks/", "/api/webhooks/{id}/", "/api/webhooks/{id}/deliveries/"} <= set(
        document["paths"]
    )
    assert "Webhook" in document["components"]["schemas"]


@pytest.mark.parametrize(
    "body",
    [
        {"target": "http://192.0.2.1/\x00"},
        {"target": "http://192.0.2.1/", "secret": "a\x00" * 10},
        '{"target": "http://192.0.2.1/", "secret": "' + "\\ud800" * 20 + '"}',
        {"target": "http://192.0.2.1/", "project": 99999999999999999999},
        {"target": "http://192.0.2.1/", "project": "x"},
        {"target": "http://192.0.2.1/", "categories": "patch-created"},
        {"target": "http://192.0.2.1/", "categories": [1, None]},
        {"target": "http://192.0.2.1/", "enabled": "maybe"},
        {"target": "x" * 3000},
        {"target": "http://[::1"},
        {"target": "http://192.0.2.1:99999/"},
        {},
    ],
)
def test_odd_values_are_400(client_for, superuser, body):
    client = client_for(superuser)
    if isinstance(body, str):  # JSON the test client would not encode itself
        response = client.post(LIST, body, content_type="application/json")
    else:
        response = client.post(LIST, body, format="json")
    assert response.status_code == 400, response.content


def test_odd_ids_are_404(client_for, superuser):
    client = client_for(superuser)
    for path in ("99999999999999999999/", "99999999999999999999/deliveries/", "0/"):
        assert client.get(f"{LIST}{path}").status_code == 404
