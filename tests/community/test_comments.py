"""Comments: add (htmx and plain), edit and delete my own, teachers remove any
in their academy, notifications for the post's author and for @mentions."""

from __future__ import annotations

import pytest

from community.models import Comment
from notifications.models import Notification
from tests.community.builders import (  # noqa: F401 (fixtures)
    classroom_fixture,
    comment_url,
    make_post,
    post_url,
)
from tests.factories import CommentFactory, ProfileFactory, UserJourneyFactory

pytestmark = pytest.mark.usefixtures("english")

HTMX = {"HTTP_HX_REQUEST": "true"}


def comment_on(client, post, content, **headers):
    return client.post(post_url(post, "comment_create"), {"content": content}, **headers)


def test_a_comment_without_javascript_goes_back_to_it(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    response = comment_on(client, post, "Nice\nwork!")
    comment = Comment.objects.get()
    assert response.url == post_url(post) + f"#comment-{comment.pk}"
    assert (comment.user, comment.content) == (classroom.classmate, "Nice\nwork!")
    page = client.get(post_url(post)).content.decode()
    assert "Nice<br>work!" in page


def test_htmx_gets_a_fresh_form_the_comment_and_the_count(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    html = comment_on(client, post, "First!", **HTMX).content.decode()
    comment = Comment.objects.get()
    assert html.lstrip().startswith("<form")
    assert 'hx-swap-oob="beforeend:#comment-list"' in html
    assert f'id="comment-{comment.pk}"' in html and "First!" in html
    assert '<span id="comment-count" class="count-pill" hx-swap-oob="true">1</span>' in html


def test_an_empty_comment_is_refused(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    html = comment_on(client, post, "   ", **HTMX).content.decode()
    assert "Write something before sending the comment." in html
    response = comment_on(client, post, "")
    assert response.url == post_url(post) + "#comment-form"
    assert "Write something" in client.get(response.url).content.decode()
    assert not Comment.objects.exists()


def test_a_too_long_comment_is_refused(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    html = comment_on(client, post, "a" * 2001, **HTMX).content.decode()
    assert "at most 2000 characters" in html
    assert not Comment.objects.exists()


def test_people_outside_the_journey_cannot_comment(client, classroom):
    post = make_post(classroom)
    for person in (classroom.stranger, classroom.outsider):
        client.force_login(person)
        assert comment_on(client, post, "Hi").status_code == 404
    hidden = make_post(
        classroom,
        author=classroom.classmate,
        is_hidden=True,
        mission_instance=classroom.team_instance,
    )
    client.force_login(classroom.student)
    assert comment_on(client, hidden, "Hi").status_code == 404
    assert not Comment.objects.exists()


def test_a_comment_notifies_the_posts_author_but_not_myself(client, classroom):
    post = make_post(classroom, title="My prompt")
    client.force_login(classroom.classmate)
    comment_on(client, post, "Great")
    told = Notification.objects.get()
    assert (told.receiver, told.type) == (classroom.student, "comment")
    assert told.message == "이서준 commented on your post “My prompt”."
    assert told.link.startswith(post_url(post) + "#comment-")
    client.force_login(classroom.student)
    comment_on(client, post, "Thanks")
    assert Notification.objects.count() == 1


def test_a_mention_notifies_the_member_and_is_highlighted(client, classroom):
    post = make_post(classroom, author=classroom.classmate, title="Idea")
    client.force_login(classroom.teacher)
    comment_on(client, post, "@Minji Kim and @서준 look at this")
    kinds = {(n.receiver, n.type) for n in Notification.objects.all()}
    # The author was mentioned: one notification (the mention), not two.
    assert kinds == {(classroom.student, "mention"), (classroom.classmate, "mention")}
    mention = Notification.objects.get(receiver=classroom.student)
    assert mention.message == "Jisoo Park mentioned you in a comment on “Idea”."
    page = client.get(post_url(post)).content.decode()
    assert '<strong class="mention">@Minji Kim</strong>' in page
    assert '<strong class="mention">@서준</strong>' in page


def test_a_korean_full_name_mention_with_a_particle(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.student)
    comment_on(client, post, "@이서준님 고마워요")
    assert Notification.objects.get().receiver == classroom.classmate


def test_an_ambiguous_first_name_mentions_nobody(client, classroom):
    namesake = ProfileFactory(
        organization=classroom.journey.organization, last_name="박", first_name="서준"
    )
    UserJourneyFactory(journey=classroom.journey, user=namesake)
    post = make_post(classroom)
    client.force_login(classroom.student)
    comment_on(client, post, "@서준 hello")
    assert not Notification.objects.exists()
    comment_on(client, post, "@박서준 hello")
    assert Notification.objects.get().receiver == namesake


def test_people_outside_the_journey_cannot_be_mentioned(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    name = classroom.stranger.full_name
    comment_on(client, post, f"@{name} come here")
    assert not Notification.objects.filter(receiver=classroom.stranger).exists()


def test_a_mention_on_a_hidden_post_skips_who_cannot_open_it(client, classroom):
    post = make_post(classroom, is_hidden=True)
    client.force_login(classroom.teacher)
    comment_on(client, post, "@이서준 see this")
    assert not Notification.objects.filter(receiver=classroom.classmate).exists()
    assert Notification.objects.filter(receiver=classroom.student, type="comment").exists()


def test_hostile_comments_are_rendered_inert(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    comment_on(client, post, '<script>alert(1)</script> <img src=x onerror="alert(2)">')
    comment_on(client, post, "[x](javascript:alert(3)) <a href='javascript:alert(4)'>y</a>")
    page = client.get(post_url(post)).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page and "href='javascript:" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_i_edit_my_own_comment(client, classroom):
    post = make_post(classroom)
    comment = CommentFactory(post=post, user=classroom.classmate, content="Old")
    client.force_login(classroom.classmate)
    form = client.get(comment_url(comment, "comment_edit")).content.decode()
    assert ">Old</textarea>" in form
    html = client.post(
        comment_url(comment, "comment_edit"), {"content": "New"}, **HTMX
    ).content.decode()
    assert f'id="comment-{comment.pk}"' in html and "New" in html
    comment.refresh_from_db()
    assert comment.content == "New"
    response = client.post(comment_url(comment, "comment_edit"), {"content": "Newer"})
    assert response.url == post_url(post) + f"#comment-{comment.pk}"


def test_an_edit_notifies_only_newly_mentioned_people(client, classroom):
    post = make_post(classroom, author=classroom.classmate)
    comment = CommentFactory(post=post, user=classroom.teacher, content="@Minji hi")
    client.force_login(classroom.teacher)
    client.post(comment_url(comment, "comment_edit"), {"content": "@Minji and @이서준 hi"})
    assert [(n.receiver, n.type) for n in Notification.objects.all()] == [
        (classroom.classmate, "mention")
    ]


def test_an_empty_edit_is_refused(client, classroom):
    comment = CommentFactory(post=make_post(classroom), user=classroom.classmate, content="Old")
    client.force_login(classroom.classmate)
    response = client.post(comment_url(comment, "comment_edit"), {"content": " "})
    assert "Write something before sending the comment." in response.content.decode()
    comment.refresh_from_db()
    assert comment.content == "Old"


@pytest.mark.parametrize("who", ["student", "teacher", "stranger", "outsider"])
def test_editing_someone_elses_comment_is_missing(client, classroom, who):
    comment = CommentFactory(post=make_post(classroom), user=classroom.classmate, content="Old")
    client.force_login(getattr(classroom, who))
    assert client.get(comment_url(comment, "comment_edit")).status_code == 404
    assert client.post(comment_url(comment, "comment_edit"), {"content": "x"}).status_code == 404
    comment.refresh_from_db()
    assert comment.content == "Old"


def test_i_delete_my_own_comment_after_confirming(client, classroom):
    post = make_post(classroom)
    comment = CommentFactory(post=post, user=classroom.classmate)
    client.force_login(classroom.classmate)
    assert (
        "Delete this comment?"
        in client.get(comment_url(comment, "comment_delete")).content.decode()
    )
    assert Comment.objects.exists()
    html = client.post(comment_url(comment, "comment_delete"), **HTMX).content.decode()
    assert 'id="comment-count"' in html and ">0<" in html
    assert not Comment.objects.exists()


def test_a_teacher_deletes_any_comment_in_the_academy(client, classroom):
    post = make_post(classroom)
    comment = CommentFactory(post=post, user=classroom.classmate)
    client.force_login(classroom.teacher)
    response = client.post(comment_url(comment, "comment_delete"))
    assert response.url == post_url(post) + "#comments"
    assert not Comment.objects.exists()


@pytest.mark.parametrize("who", ["student", "stranger", "outsider"])
def test_deleting_someone_elses_comment_is_missing(client, classroom, who):
    comment = CommentFactory(post=make_post(classroom), user=classroom.classmate)
    client.force_login(getattr(classroom, who))
    assert client.get(comment_url(comment, "comment_delete")).status_code == 404
    assert client.post(comment_url(comment, "comment_delete")).status_code == 404
    assert Comment.objects.exists()


def test_edit_and_delete_links_show_only_for_whom_they_work(client, classroom):
    post = make_post(classroom)
    mine = CommentFactory(post=post, user=classroom.student)
    theirs = CommentFactory(post=post, user=classroom.classmate)
    client.force_login(classroom.student)
    page = client.get(post_url(post)).content.decode()
    assert comment_url(mine, "comment_edit") in page
    assert comment_url(mine, "comment_delete") in page
    assert comment_url(theirs, "comment_edit") not in page
    assert comment_url(theirs, "comment_delete") not in page
    client.force_login(classroom.teacher)
    page = client.get(post_url(post)).content.decode()
    assert comment_url(theirs, "comment_delete") in page
    assert comment_url(theirs, "comment_edit") not in page
