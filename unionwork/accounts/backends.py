"""Authentication backend: Django's ModelBackend, with the user's node read in the same query."""

from django.contrib.auth.backends import ModelBackend


class NodeModelBackend(ModelBackend):
    """Every request reads the signed-in user, and every page then needs the user's node (the scope,
    the menus, the second-factor check): one query instead of two."""

    def get_user(self, user_id):
        from .models import User

        try:
            user = User._default_manager.select_related("node").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
