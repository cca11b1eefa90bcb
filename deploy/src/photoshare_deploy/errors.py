"""The one error type the CLI prints as a single line, and translation of AWS errors into it."""

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)


class DeployError(Exception):
    """A failure explained in one line for the operator; the CLI prints it without a traceback."""


def explain(error: Exception) -> str:
    """One line saying what went wrong, for AWS and botocore errors."""
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, ProfileNotFound):
        return f"AWS profile not found: {error.kwargs.get('profile')} (check AWS_PROFILE)"
    if isinstance(error, NoRegionError):
        return "no AWS region: set AWS_REGION (for example eu-west-1)"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach AWS at {error.kwargs.get('endpoint_url')}: check AWS_ENDPOINT_URL and the network"
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return f"{error.operation_name} failed: {info.get('Code', 'Error')}: {info.get('Message', '')}".rstrip(": ")
    if isinstance(error, BotoCoreError):
        return f"AWS error: {error}"
    return str(error)


def is_missing_stack(error: ClientError) -> bool:
    """True when CloudFormation answered that the stack does not exist."""
    info = error.response.get("Error", {})
    return info.get("Code") == "ValidationError" and "does not exist" in info.get("Message", "")
