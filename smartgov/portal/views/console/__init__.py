"""The admin console (系统管理): each page is restricted through the scope/service layer."""
