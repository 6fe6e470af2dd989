"""Customer list and profile pages."""

from __future__ import annotations

from django.urls import reverse

from ..factories import CustomerFactory, ExperienceFactory, OrderFactory, SegmentFactory

LIST = reverse("customers:list")


def test_search_by_name_email_or_external_id(alice):
    olena = CustomerFactory(
        workspace=alice.workspace, name="Олена Коваленко", email="olena@ukr.net"
    )
    CustomerFactory(workspace=alice.workspace, name="Petro Shevchenko", external_id="C-777")
    for query, expected in [("Коваленко", "Олена"), ("ukr.net", "Олена"), ("C-777", "Petro")]:
        names = [c.name for c in alice.client.get(LIST, {"q": query}).context["page"]]
        assert len(names) == 1
        assert names[0].startswith(expected), query
    assert olena.pk


def test_filter_by_segment(alice):
    parents = SegmentFactory(workspace=alice.workspace, name="Parents")
    CustomerFactory(workspace=alice.workspace, segment=parents, name="In segment")
    CustomerFactory(workspace=alice.workspace, name="Outside")
    page = alice.client.get(LIST, {"segment": parents.pk}).context["page"]
    assert [c.name for c in page] == ["In segment"]


def test_htmx_request_gets_only_the_table(alice):
    CustomerFactory(workspace=alice.workspace, name="Someone")
    response = alice.client.get(LIST, {"q": "Some"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Someone" in body
    assert "<html" not in body


def test_list_query_count_is_flat(alice, django_assert_max_num_queries):
    segment = SegmentFactory(workspace=alice.workspace)
    for _ in range(40):
        CustomerFactory(workspace=alice.workspace, segment=segment)
    with django_assert_max_num_queries(12):
        alice.client.get(LIST)


def test_profile_shows_orders_and_experiences_newest_first(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    OrderFactory(workspace=alice.workspace, customer=customer, external_id="O-1")
    ExperienceFactory(workspace=alice.workspace, customer=customer, text="<b>late</b> courier")
    response = alice.client.get(reverse("customers:detail", args=[customer.pk]))
    body = response.content.decode()
    assert "O-1" in body
    assert "&lt;b&gt;late&lt;/b&gt; courier" in body


def test_bad_filter_values_are_ignored_not_errors(alice):
    assert alice.client.get(LIST, {"segment": "abc", "page": "x"}).status_code == 200


def test_search_ignores_case_in_cyrillic_too(alice):
    CustomerFactory(workspace=alice.workspace, name="Олена Коваленко", email="ОЛЕНА@ukr.net")
    for query in ("коваленко", "ОЛЕНА КОВАЛЕНКО", "олена@"):
        names = [c.name for c in alice.client.get(LIST, {"q": query}).context["page"]]
        assert names == ["Олена Коваленко"], query
