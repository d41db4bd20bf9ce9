from acuclinic.people.roles import role_of


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "role": role_of(user),
        "can_see_clinical": user.has_perm("people.view_clinical"),
        "can_see_audit": user.has_perm("audit.view_auditentry"),
    }
