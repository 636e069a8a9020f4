"""Data sharing (共享交换): consumer apps, access requests, grants, the gateway, call log."""
