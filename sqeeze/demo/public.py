"""The public side and the back office: the blog, problem reports (one with a
screenshot) and inquiries.

Upserts, all of them: blog posts are written in the admin (no service) and
their dates move with "now", which ``blog_publish`` rightly never does to a
published post; ``bug_report_create`` stores an upload under a random name and
``inquiry_submit`` mails the operators, while the demo needs the same rows, a
past and no mail on every run.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile

from blog.models import Blog
from files.models import File, FileType
from files.purposes import storage_for
from inquiries.models import BugReport, Inquiry
from sqeeze.demo.builder import DemoBuilder
from sqeeze.demo.data import DEMO_STUDENT
from sqeeze.demo.public_data import BLOG_POSTS, BUG_REPORTS, INQUIRIES
from sqeeze.demo.specs import demo_uuid


def seed_public_side(demo: DemoBuilder) -> None:
    screenshot = seed_screenshot_file(demo)
    seed_bug_reports(demo, screenshot)
    seed_blog(demo)
    seed_inquiries(demo)


def seed_screenshot_file(demo: DemoBuilder) -> File:
    """A real image in the private storage, attached to a bug report. A fixed
    path (not the upload service's random one) keeps reruns idempotent."""
    path = "bug-reports/demo/bug-report-screenshot.png"
    content = demo_screenshot_png()
    storage = storage_for("bug-reports")
    if not storage.exists(path):
        storage.save(path, ContentFile(content))
    return demo.upsert(
        File,
        {
            "user": demo.people[DEMO_STUDENT.email],
            "file_name": "screenshot.png",
            "file_size": len(content),
            "mime_type": "image/png",
            "file_type": FileType.IMAGE,
            "bucket_name": "bug-reports",
            "metadata": {"width": 640, "height": 360, "demo": True},
        },
        file_path=path,
    )


def seed_bug_reports(demo: DemoBuilder, screenshot: File) -> None:
    for spec in BUG_REPORTS:
        demo.upsert(
            BugReport,
            {
                "user": demo.people[spec.reporter],
                "title": spec.title,
                "description": spec.description,
                "status": spec.status,
                "attachment_file": screenshot if spec.with_screenshot else None,
                "created_at": demo.now - dt.timedelta(days=spec.days_ago),
            },
            id=demo_uuid("bug-report", spec.key),
        )


def seed_blog(demo: DemoBuilder) -> None:
    for spec in BLOG_POSTS:
        published_at = (
            None
            if spec.published_days_ago is None
            else demo.now - dt.timedelta(days=spec.published_days_ago)
        )
        demo.upsert(
            Blog,
            {
                "title": spec.title,
                "subtitle": spec.subtitle,
                "content": spec.content,
                "created_at": demo.now - dt.timedelta(days=spec.written_days_ago),
                "published_at": published_at,
            },
            id=demo_uuid("blog", spec.key),
        )


def seed_inquiries(demo: DemoBuilder) -> None:
    for spec in INQUIRIES:
        demo.upsert(
            Inquiry,
            {
                "name": spec.name,
                "phone": spec.phone,
                "automation_needs": spec.automation_needs,
                "current_tools": spec.current_tools,
                "tool_issues": spec.tool_issues,
                "status": spec.status,
                "notes": spec.notes,
                "created_at": demo.now - dt.timedelta(days=spec.days_ago),
            },
            id=demo_uuid("inquiry", spec.key),
        )


def demo_screenshot_png() -> bytes:
    """A small, always identical PNG that looks like a screenshot of a stuck upload."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 360), "#f4f5fb")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 48), fill="#4b3fd8")
    draw.rounded_rectangle((120, 150, 520, 190), radius=12, outline="#c7c9d9", width=2)
    draw.rounded_rectangle((122, 152, 480, 188), radius=10, fill="#4b3fd8")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
