"""boto3: S3 and DynamoDB clients with fake credentials and botocore's Stubber (no
network): requests are validated against the service models, responses parsed,
errors raised, a paginator; plus a resource and a config."""

import datetime
import io

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from botocore.stub import ANY, Stubber

session = boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="eu-west-1")
s3 = session.client("s3", config=Config(retries={"max_attempts": 1}))
stub = Stubber(s3)
stub.add_response("put_object", {"ETag": '"abc"'}, {"Bucket": "demo", "Key": "a.txt", "Body": ANY})
stub.add_response("list_objects_v2", {"Contents": [{"Key": "a.txt", "Size": 5, "LastModified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)}], "IsTruncated": True, "NextContinuationToken": "t1", "KeyCount": 1}, {"Bucket": "demo"})
stub.add_response("list_objects_v2", {"Contents": [{"Key": "b.txt", "Size": 7}], "IsTruncated": False, "KeyCount": 1}, {"Bucket": "demo", "ContinuationToken": "t1"})
stub.add_client_error("get_object", service_error_code="NoSuchKey", service_message="gone", http_status_code=404)
stub.add_response("get_object", {"Body": io.BytesIO(b"hello"), "ContentLength": 5}, {"Bucket": "demo", "Key": "a.txt"})
with stub:
    print(s3.put_object(Bucket="demo", Key="a.txt", Body=b"hello")["ETag"])
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="demo")
    print([(o["Key"], o["Size"]) for page in pages for o in page["Contents"]])
    try:
        s3.get_object(Bucket="demo", Key="zzz")
    except ClientError as exc:
        print("ClientError:", exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"])
    print(s3.get_object(Bucket="demo", Key="a.txt")["Body"].read())
    stub.assert_no_pending_responses()
try:
    s3.put_object(Bucket="demo")
except ParamValidationError as exc:
    print("ParamValidationError:", str(exc).splitlines()[0])
ddb = session.client("dynamodb")
with Stubber(ddb) as dstub:
    dstub.add_response("get_item", {"Item": {"pk": {"S": "u1"}, "n": {"N": "3"}}}, {"TableName": "t", "Key": {"pk": {"S": "u1"}}})
    print(ddb.get_item(TableName="t", Key={"pk": {"S": "u1"}})["Item"])
print(s3.meta.region_name, s3.meta.service_model.service_name, len(s3.meta.service_model.operation_names) > 50)
print(sorted(session.get_available_services())[:5])
bucket = session.resource("s3").Bucket("demo")
print(bucket.name, type(bucket).__name__)
