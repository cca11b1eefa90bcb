from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from photoshare_worker.transient import is_transient


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutObject")


def test_throttling_5xx_and_network_faults_are_transient():
    assert is_transient(client_error("SlowDown", 503))
    assert is_transient(client_error("ProvisionedThroughputExceededException", 400))
    assert is_transient(client_error("InternalError", 500))
    assert is_transient(EndpointConnectionError(endpoint_url="http://x"))
    assert is_transient(ReadTimeoutError(endpoint_url="http://x"))
    assert is_transient(ConnectionResetError())


def test_client_mistakes_and_bugs_are_not():
    assert not is_transient(client_error("AccessDenied", 403))
    assert not is_transient(client_error("ValidationException", 400))
    assert not is_transient(ValueError("bug"))
