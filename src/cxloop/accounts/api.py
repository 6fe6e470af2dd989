from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["workspace"])


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    default_language: str
    role: str


@router.get("", response=WorkspaceOut, summary="The workspace this token belongs to")
def current_workspace(request: HttpRequest) -> dict:
    workspace = request.workspace
    return {
        "id": workspace.pk,
        "name": workspace.name,
        "slug": workspace.slug,
        "default_language": workspace.default_language,
        "role": request.membership.role,
    }
