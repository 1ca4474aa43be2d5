using System.Text;
using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.Shared;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests;

/// <summary>Every error AWS or the network can give, and what the source makes of it.</summary>
public sealed partial class AwsSecretsManagerKeySourceTests
{
    [Fact]
    public async Task FetchAsync_AccessDenied_NamesTheGetSecretValuePermission()
    {
        _aws.Put(SecretName, TestKeys.Numbered(100));
        _aws.Server.Deny(_aws.Identity);
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("access denied").And.Contain("secretsmanager:GetSecretValue").And.Contain("kms:Decrypt")
            .And.Contain("is not authorized to perform").And.Contain("AWS request id");
    }

    [Fact]
    public async Task FetchAsync_KmsAccessDenied_NamesKmsDecrypt()
    {
        _aws.Put(SecretName, TestKeys.Numbered(110));
        _aws.Server.Deny(_aws.Identity, kmsOnly: true);
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("access denied by KMS").And.Contain("kms:Decrypt");
    }

    [Fact]
    public async Task FetchAsync_DecryptionFailure_NamesKmsDecrypt()
    {
        _aws.Put(SecretName, TestKeys.Numbered(120));
        _aws.Server.FailDecryption(SecretName);
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("DecryptionFailure").And.Contain("kms:Decrypt");
    }

    [Fact]
    public async Task FetchAsync_UnknownAccessKey_ReportsUnrecognizedCredentials()
    {
        var stranger = AwsTestIdentity.Create();
        _aws.RememberSecret(stranger.SecretAccessKey);
        _aws.Put(SecretName, TestKeys.Numbered(130));
        var source = _aws.CreateSource(SecretName, o => o.Credentials = stranger.Credentials);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("UnrecognizedClientException").And.Contain("does not recognize the credentials")
            .And.Contain("AwsSecretsManagerKeySourceOptions.Credentials (BasicAWSCredentials)");
    }

    [Fact]
    public async Task FetchAsync_WrongSecretAccessKey_ReportsSignatureMismatchWithoutRepeatingTheCanonicalRequest()
    {
        await using var aws = await SourceHarness.StartAsync(temporaryCredentials: true);
        var wrong = aws.Identity.WithWrongSecret();
        aws.RememberSecret(wrong.SecretAccessKey);
        aws.Put(SecretName, TestKeys.Numbered(140));
        var source = aws.CreateSource(SecretName, o => o.Credentials = wrong.Credentials);

        var failure = await aws.FetchFailsAsync(source);

        // AWS's answer goes on with the canonical request, session token included: only its first paragraph is kept.
        aws.Server.Requests.Single().SignatureValid.Should().BeFalse();
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("InvalidSignatureException").And.Contain("secret access key")
            .And.Contain("does not match the signature you provided").And.NotContain("Canonical String");
    }

    [Fact]
    public async Task FetchAsync_ClockTenMinutesAhead_ReportsTheClockSkew()
    {
        var aheadClock = new FakeTimeProvider(SourceHarness.Start + TimeSpan.FromMinutes(10));
        await using var aws = await SourceHarness.StartAsync(sourceClock: aheadClock);
        aws.Put(SecretName, TestKeys.Numbered(150));
        var source = aws.CreateSource(SecretName);

        var failure = await aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("clock").And.Contain("10 minutes ahead of AWS's").And.Contain("NTP");
    }

    [Fact]
    public async Task FetchAsync_Throttled_IsTransientAndHonoursRetryAfter()
    {
        _aws.Put(SecretName, TestKeys.Numbered(160));
        _aws.Server.RespondNext(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}""", ("Retry-After", "7"));
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);
        var next = await source.FetchAsync(CancellationToken.None);

        failure.IsTransient.Should().BeTrue();
        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        failure.Message.Should().Contain("throttling").And.Contain("Rate exceeded");
        next.Value.Should().Be(TestKeys.Numbered(160));
    }

    [Fact]
    public async Task FetchAsync_ThrottledWithRetryAfterDate_MeasuresItWithTheClock()
    {
        var at = SourceHarness.Start + TimeSpan.FromSeconds(30);
        _aws.Server.RespondNext(429, null, ("X-Amzn-ErrorType", "TooManyRequestsException:http://internal.amazon.com/"), ("Retry-After", at.ToString("R")));
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeTrue();
        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(500, """{"__type":"InternalServiceError","Message":"An error occurred on the server side."}""", null)]
    [InlineData(503, null, "ServiceUnavailable")]
    [InlineData(502, "<html>Bad Gateway</html>", null)]
    public async Task FetchAsync_ServerFault_IsTransient(int status, string? body, string? errorTypeHeader)
    {
        _aws.Server.RespondNext(status, body, errorTypeHeader is null ? [] : [("X-Amzn-ErrorType", errorTypeHeader)]);
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeTrue();
        failure.RetryAfter.Should().BeNull();
        failure.Message.Should().Contain($"HTTP {status}").And.Contain("retrying later");
    }

    [Fact]
    public async Task FetchAsync_SecretScheduledForDeletion_ExplainsHowToRestoreIt()
    {
        _aws.Put(SecretName, TestKeys.Numbered(170));
        _aws.Server.ScheduleDeletion(SecretName);
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("scheduled for deletion").And.Contain("aws secretsmanager restore-secret --secret-id prod/openai-api-key");
    }

    [Fact]
    public async Task FetchAsync_InvalidParameter_NamesTheSettings()
    {
        _aws.Server.RespondNext(400, """{"__type":"InvalidParameterException","Message":"You provided an invalid value for a parameter."}""");
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("InvalidParameterException").And.Contain("SecretId, Version and VersionStage");
    }

    [Fact]
    public async Task FetchAsync_EndpointUnreachable_IsTransient()
    {
        var closedPort = LoopbackPorts.Closed();
        var source = _aws.CreateSource(SecretName, o => o.ServiceUrl = new Uri($"http://127.0.0.1:{closedPort}/"));

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("could not be reached").And.Contain($"127.0.0.1:{closedPort}");
        failure.InnerException.Should().BeOfType<HttpRequestException>();
    }

    [Fact]
    public async Task FetchAsync_ConnectionDropsMidAnswer_IsTransient()
    {
        // The server drops the connection only once the client has the headers, so the body read is what fails.
        var headersReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _aws.Server.DropConnectionMidAnswer(headersReceived.Task);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_aws.Time);
        StoreHttpClient.Register(services, AwsSecretsManagerKeySource.HttpClientName);
        services.AddHttpClient(AwsSecretsManagerKeySource.HttpClientName).AddHttpMessageHandler(() => new SignalingHandler(headersReceived));
        await using var provider = services.BuildServiceProvider();
        var source = AwsSecretsManagerKeySourceFactory.Create(new AwsSecretsManagerKeySourceOptions
        {
            SecretId = SecretName,
            ServiceUrl = _aws.Server.Url,
            Region = FakeSecretsManager.Region,
            Credentials = _aws.Identity.Credentials,
        }, provider);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("broke while reading its answer");
    }

    [Fact]
    public async Task FetchAsync_AnswerLargerThanTheCap_FailsWithoutReadingIt()
    {
        var huge = Encoding.UTF8.GetBytes("{\"SecretString\":\"" + new string('x', StoreHttpClient.MaxResponseBytes) + "\"}");
        _aws.Server.RespondNextRaw(200, huge, ("Content-Type", FakeSecretsManager.JsonContentType));
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("larger than 256 KiB").And.Contain("ServiceUrl");
    }

    [Fact]
    public async Task FetchAsync_AnswerWithoutContentLengthLargerThanTheCap_StopsReading()
    {
        var huge = Encoding.UTF8.GetBytes(new string(' ', StoreHttpClient.MaxResponseBytes + 10));
        _aws.Server.RespondNextRaw(200, huge, ("Transfer-Encoding", "chunked"));
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("larger than 256 KiB");
    }

    [Fact]
    public async Task FetchAsync_ProxyErrorPage_PointsAtServiceUrl()
    {
        _aws.Server.RespondNextRaw(403, Encoding.UTF8.GetBytes("<html><body>Forbidden by proxy</body></html>"), ("Content-Type", "text/html"));
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("HTTP 403 without an AWS error code").And.Contain("ServiceUrl");
    }

    [Fact]
    public async Task FetchAsync_SuccessAnswerNotJson_FailsWithoutQuotingIt()
    {
        var body = "Q" + TestKeys.Numbered(180);
        _aws.RememberSecret(body);
        _aws.Server.RespondNextRaw(200, Encoding.UTF8.GetBytes(body));
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("not valid JSON").And.NotContain("'Q'");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FetchAsync_EndpointRedirects_DoesNotFollowSoTheSessionTokenStaysHome(bool ownClient)
    {
        await using var aws = await SourceHarness.StartAsync(temporaryCredentials: true);
        await using var elsewhere = await FakeSecretsManager.StartAsync(aws.Time);
        aws.Server.RespondNextRaw(307, [], ("Location", elsewhere.Url.ToString()));
        var source = aws.CreateSource(SecretName, ownClient: ownClient);

        var failure = await aws.FetchFailsAsync(source);

        elsewhere.Requests.Should().BeEmpty();
        failure.Message.Should().Contain("with a redirect (HTTP 307) to " + elsewhere.Url.GetLeftPart(UriPartial.Authority))
            .And.Contain("check ServiceUrl and any proxy");
    }

    [Fact]
    public async Task FetchAsync_AnonymousCredentials_FailsExplainingThatRequestsMustBeSigned()
    {
        var source = _aws.CreateSource(SecretName, o => o.Credentials = new AnonymousAWSCredentials());

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("AnonymousAWSCredentials").And.Contain("cannot sign requests");
        _aws.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_PlainHttpToAnotherMachine_WarnsThatTheSecretTravelsUnencrypted()
    {
        // The credentials fail before any request is sent: nothing leaves this machine.
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.ServiceUrl = new Uri("http://10.1.2.3:4566/");
            o.Credentials = new AnonymousAWSCredentials();
        });

        await _aws.FetchFailsAsync(source);

        _aws.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 204).Which.Message.Should().Contain("unencrypted");
    }

    [Fact]
    public async Task FetchAsync_PlainHttpToLoopback_DoesNotWarn()
    {
        _aws.Put(SecretName, TestKeys.Numbered(200));
        var source = _aws.CreateSource(SecretName);

        await source.FetchAsync(CancellationToken.None);

        _aws.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 204);
    }

    private sealed class SignalingHandler(TaskCompletionSource headersReceived) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            headersReceived.TrySetResult();
            return response;
        }
    }
}
