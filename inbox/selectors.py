"""Reads of notifications: a user's own, never anyone else's."""

from django.shortcuts import get_object_or_404

from inbox.models import Notification


def notifications_of(user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def get_notification_for_user_or_404(user, pk):
    return get_object_or_404(Notification, pk=pk, recipient=user)
