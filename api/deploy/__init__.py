"""The reference deployment: configuration files for what runs in front of the service."""
