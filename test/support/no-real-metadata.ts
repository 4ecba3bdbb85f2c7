// Network rule: an AWS SDK inside a test process must never fall back to the real 169.254.169.254 (only tests in
// their own network namespace, made with unshare, may reach that address). Every test
// process starts pointed at a closed loopback port; a test that wants a metadata service sets its own endpoint.
process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT ??= 'http://127.0.0.1:9/';
