"""The home page shows the workspace at a glance, computed from its own rows."""

from __future__ import annotations

from django.urls import reverse

from cxloop.analytics.services import rebuild_rollups
from cxloop.core.scoping import bind_workspace

from ..factories import CustomerFactory, ExperienceFactory, OrderFactory

HOME = reverse("web:home")


def test_home_shows_nps_with_its_margin_from_the_answers(alice):
    # 3 promoters, 1 passive, 1 detractor: NPS = (3 - 1) / 5 = +40.
    for score in (10, 9, 9, 7, 3):
        ExperienceFactory(workspace=alice.workspace, nps=score)
    with bind_workspace(alice.workspace):
        rebuild_rollups()  # the factory writes rows directly, as a bulk load would
    response = alice.client.get(HOME)
    nps = response.context["nps"]
    assert (nps.n, nps.value, nps.small) == (5, 40, True)
    # var = p + d - (p - d)^2 = 0.6 + 0.2 - 0.16 = 0.64; moe = 1.96 * sqrt(0.64 / 5) * 100
    assert round(nps.moe, 1) == 70.1
    assert ">40<" in response.content.decode()


def test_home_of_an_empty_workspace_says_so(alice):
    body = alice.client.get(HOME).content.decode()
    assert "No NPS answers yet" in body
    assert "No orders yet." in body


def test_customer_words_are_escaped(alice):
    ExperienceFactory(workspace=alice.workspace, text="<script>alert('x')</script> bad courier")
    body = alice.client.get(HOME).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; bad courier" in body


def test_home_query_count_does_not_grow_with_data(alice, django_assert_max_num_queries):
    for _ in range(30):
        customer = CustomerFactory(workspace=alice.workspace)
        OrderFactory(workspace=alice.workspace, customer=customer)
        ExperienceFactory(workspace=alice.workspace, customer=customer)
    with django_assert_max_num_queries(14):
        assert alice.client.get(HOME).status_code == 200


def test_navigation_lists_only_areas_that_exist(alice):
    response = alice.client.get(HOME)
    for item in response.context["nav_items"]:
        assert alice.client.get(item["url"]).status_code == 200


def test_security_headers_are_sent(alice):
    response = alice.client.get(HOME)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts_or_styles(alice):
    ExperienceFactory(workspace=alice.workspace)
    body = alice.client.get(HOME).content.decode()
    assert "<script>" not in body
    assert " style=" not in body


def test_home_counts_stances_and_recovered_prosecutors(alice):
    from cxloop.core.scoping import bind_workspace
    from cxloop.experiences.services import record_experience

    won_back, lost = (
        CustomerFactory(workspace=alice.workspace),
        CustomerFactory(workspace=alice.workspace),
    )
    with bind_workspace(alice.workspace):
        record_experience(source="survey", customer=won_back, score=2, scale="nps")
        record_experience(source="survey", customer=won_back, score=9, scale="nps")
        record_experience(source="survey", customer=lost, score=1, scale="nps")
    response = alice.client.get(HOME)
    stances = response.context["stances"]
    assert (stances.prosecutors, stances.neutrals, stances.advocates) == (1, 0, 1)
    assert response.context["recovered"] == 1
