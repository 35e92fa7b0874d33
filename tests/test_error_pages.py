"""The site's 403, 404 and 500 pages: its own navigation, what happened and a way back; JSON under
/api/. Logging out says so."""

from __future__ import annotations

import html

import pytest
from django.http import HttpRequest
from django.urls import path, reverse

import config.urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def boom(request: HttpRequest):
    raise RuntimeError("a bug")


# This module doubles as a URLconf with a view that fails, for the 500 page.
urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *config.urls.urlpatterns]
handler403, handler404, handler500 = config.urls.handler403, config.urls.handler404, config.urls.handler500


def test_a_rep_on_analytics_is_told_what_it_is_and_who_sees_it_with_the_navigation(client, rep):
    client.force_login(rep)
    response = client.get("/analytics/", HTTP_REFERER="http://testserver/deals/")
    page = html.unescape(response.text)
    assert response.status_code == 403
    assert "This page is not open to you" in page
    assert "Analytics is marketing's view of the funnel" in page
    assert "It is for marketing and administrators." in page
    assert "(Reps)" in page  # the groups the rep is in
    assert '<nav aria-label="Main">' in page and ">Find assets</a>" in page
    assert 'href="http://testserver/deals/">Back to the page you came from' in page
    assert f'href="{reverse("home")}">Go to your home page' in page


def test_marketing_approving_a_profile_is_told_it_is_for_administrators(client):
    client.force_login(UserFactory(role="Marketing"))
    response = client.post(reverse("buyer-profile-approve", args=[1]))
    assert response.status_code == 403 and "It is for administrators." in response.text


def test_a_way_back_only_to_a_page_of_this_site(client, rep):
    client.force_login(rep)
    response = client.get("/analytics/", HTTP_REFERER="https://evil.example/phish")
    assert "evil.example" not in response.text and "Back to the page you came from" not in response.text


def test_a_page_that_is_not_there_has_the_navigation_and_a_way_home(client, rep):
    client.force_login(rep)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "There is nothing here" in response.text and "<code>/no-such-page/</code>" in response.text
    assert '<nav aria-label="Main">' in response.text


def test_another_reps_deal_answers_the_styled_404(client, rep):
    deal = UserFactory(role="Reps").deals.create(source="native", external_id="X-1", name="Not yours")
    client.force_login(rep)
    response = client.get(reverse("deal-detail", args=[deal.pk]))
    assert response.status_code == 404 and "There is nothing here" in response.text
    assert "Not yours" not in response.text


def test_errors_under_the_api_stay_json(client, rep):
    client.force_login(rep)
    assert client.get("/api/v1/no-such-thing/").json() == {"detail": "Not found."}


@pytest.mark.urls("tests.test_error_pages")
def test_a_failing_page_answers_the_styled_500_with_the_navigation(client, rep):
    client.raise_request_exception = False
    client.force_login(rep)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text and '<nav aria-label="Main">' in response.text


@pytest.mark.urls("tests.test_error_pages")
def test_the_500_page_is_drawn_even_when_drawing_it_with_the_request_fails(client, rep, monkeypatch):
    import config.error_pages

    real = config.error_pages.render_to_string

    def broken_with_request(template, context=None, request=None):
        if request is not None:  # e.g. the database is what failed, and the header asks it for the user
            raise RuntimeError("no database")
        return real(template, context)

    monkeypatch.setattr(config.error_pages, "render_to_string", broken_with_request)
    client.raise_request_exception = False
    client.force_login(rep)
    response = client.get("/boom/")
    assert response.status_code == 500 and "Something went wrong on our side" in response.text
    assert "Go to your home page" in response.text


@pytest.mark.urls("tests.test_error_pages")
def test_a_failing_api_call_answers_json_500(client, rep):
    client.raise_request_exception = False
    client.force_login(rep)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500 and "logged" in response.json()["detail"]


def test_logging_out_lands_on_the_login_page_with_a_message(client, rep):
    client.force_login(rep)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You are logged out." in response.text
    assert client.get(reverse("home")).status_code == 302  # really logged out


def test_logging_out_twice_says_nothing_the_second_time(client):
    response = client.post(reverse("logout"), follow=True)
    assert "You are logged out." not in response.text
