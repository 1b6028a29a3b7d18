"""Sync fixtures."""
import pytest

from sync_helpers import Phone


@pytest.fixture
def phone(login):
    def _phone(username="demo-promoter", client_id=None, device_name="test-phone"):
        return Phone(login(username, device_name=device_name), client_id)

    return _phone
