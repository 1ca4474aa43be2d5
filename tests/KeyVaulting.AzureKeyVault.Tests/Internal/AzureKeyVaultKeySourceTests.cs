using Azure;
using Azure.Identity;
using KeyVaulting.AzureKeyVault.Internal;
using KeyVaulting.AzureKeyVault.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.AzureKeyVault.Tests.Internal;

/// <summary>
/// The source against a local Key Vault through the real <c>SecretClient</c> pipeline: challenge authentication,
/// retries, Key Vault's JSON and error bodies.
/// </summary>
public sealed class AzureKeyVaultKeySourceTests : IAsyncLifetime
{
    private const string SecretName = "openai-api-key";

    private readonly SourceHarness _harness = new();
    private readonly string _sentinel = TestKeys.Project('S');
    private FakeKeyVault _vault = null!;

    public async Task InitializeAsync() => _vault = await FakeKeyVault.StartAsync();

    public async Task DisposeAsync()
    {
        await _vault.DisposeAsync();
        _harness.Dispose();
    }

    [Fact]
    public async Task FetchAsync_LatestVersion_ReturnsValueVersionAndExpiry()
    {
        _vault.AddVersion(SecretName, TestKeys.Project('A'));
        var expiresOn = _harness.Time.GetUtcNow().AddDays(30);
        var latest = _vault.AddVersion(SecretName, TestKeys.Project('B'), expiresOn: expiresOn);
        var source = _harness.Create(_vault, SecretName);

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        result.Value.Should().Be(TestKeys.Project('B'));
        result.Version.Should().Be(latest.Id);
        result.ExpiresAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(expiresOn.ToUnixTimeSeconds()));
        source.Name.Should().Be("AzureKeyVault:openai-api-key");
        _vault.AuthenticatedRequests.Should().ContainSingle().Which.Path.Should().Be("/secrets/openai-api-key");
    }

    [Fact]
    public async Task FetchAsync_FirstRequest_AnswersKeyVaultChallengeWithTokenForVaultScopeAndTenant()
    {
        _vault.AddVersion(SecretName, _sentinel);
        var source = _harness.Create(_vault, SecretName);

        await source.FetchAsync(CancellationToken.None);
        await source.FetchAsync(CancellationToken.None);

        var requests = _vault.Requests.ToList();
        requests[0].HadAuthorization.Should().BeFalse("the SDK first sends the request unauthenticated to learn the challenge");
        requests.Skip(1).Should().OnlyContain(r => r.Authenticated);
        requests.Should().HaveCount(3, "the challenge is learned once, then every request carries the token");
        var tokenRequest = _vault.Credential.Requests.Should().ContainSingle().Subject;
        tokenRequest.Scopes.Should().Equal("https://vault.azure.net/.default");
        tokenRequest.TenantId.Should().Be(KeyVaultFixtures.ChallengeTenant);
    }

    [Fact]
    public async Task FetchAsync_DefaultClientOptions_SendPinnedServiceVersion()
    {
        _vault.AddVersion(SecretName, _sentinel);
        var source = _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = _vault.ClientOptions());

        await source.FetchAsync(CancellationToken.None);

        _vault.AuthenticatedRequests.Single().ApiVersion.Should().Be("7.6");
    }

    [Fact]
    public async Task FetchAsync_DefaultClientOptionsAndLongRetryAfter_FailsAtOnceWithTheHint()
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.Outage = new ScriptedResponse(429, KeyVaultFixtures.ErrorBody("Throttled", "Too many requests."), ("Retry-After", "120"));
        var source = _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = _vault.ClientOptions());

        var failure = await FetchFailureAsync(source);

        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(120), "the provider waits, instead of the SDK sleeping through the source timeout");
        _vault.AuthenticatedRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task FetchAsync_DefaultClientOptionsAndServerBlip_RetriedInsideTheRead()
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.Enqueue(new ScriptedResponse(503, KeyVaultFixtures.ErrorBody("ServiceUnavailable", "The service is unavailable.")));
        var source = _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = _vault.ClientOptions());

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(_sentinel);
        _vault.AuthenticatedRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task FetchAsync_DefaultClientOptionsAndAnswerLargerThan256KiB_FailsWithoutBufferingIt()
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.Enqueue(new ScriptedResponse(200, "{\"value\":\"" + new string('x', 4 * 1024 * 1024) + "\"}"));
        var source = _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = _vault.ClientOptions());

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("larger than 256 KiB").And.Contain("VaultUri");
        failure.IsTransient.Should().BeFalse();
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(_sentinel, "the client works on once the answer is a Key Vault answer again");
    }

    [Fact]
    public async Task FetchAsync_ConfigureClientOptionsAnd128MiBAnswer_StopsReadingAt256KiBAndReadsOnAfterwards()
    {
        _vault.AddVersion(SecretName, _sentinel);
        var counter = new ResponseBytesCounter();
        var source = _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = _vault.ClientOptions(observer: counter));
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(_sentinel);
        var readBefore = counter.BytesRead;
        _vault.EnqueueStream(128 * 1024 * 1024);

        // Buffering 128 MiB would take far longer than this on a loaded machine: the read has to stop early.
        var failure = await FetchFailureAsync(source).WaitAsync(TimeSpan.FromSeconds(30));

        failure.SourceName.Should().Be(source.Name);
        failure.Message.Should().Contain("larger than 256 KiB").And.Contain(SecretName).And.Contain("VaultUri");
        failure.IsTransient.Should().BeFalse();
        (counter.BytesRead - readBefore).Should().BeLessThan(
            ResponseSizeLimitPolicy.MaxResponseBytes + (128 * 1024),
            "the client reads the cap and at most one copy buffer more of the answer, never the answer");
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(_sentinel, "the client works on once the answer is a Key Vault answer again");
        AssertNoSecrets(failure);
    }

    [Theory]
    [InlineData(ResponseSizeLimitPolicy.MaxResponseBytes + 1, "larger than 256 KiB")]
    [InlineData(ResponseSizeLimitPolicy.MaxResponseBytes, "more than the 25 KB")]
    public async Task FetchAsync_SourcesSharingConfigureClientOptionsAndAnswerAroundTheCap_EachRefusesItTheSameWayAndReadsOn(int answerBytes, string reason)
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.AddVersion("other-key", TestKeys.Project('O'));
        var shared = _vault.ClientOptions(maxRetries: 0);
        var sources = new[] { _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = shared), _harness.Create(_vault, "other-key", o => o.ConfigureClientOptions = shared) };

        foreach (var source in sources)
        {
            _vault.Enqueue(new ScriptedResponse(200, AnswerOfExactly(answerBytes)));

            var failure = await FetchFailureAsync(source);

            failure.SourceName.Should().Be(source.Name);
            failure.Message.Should().Contain(reason, "an answer of {0} bytes is {1} the 256 KiB cap", answerBytes, answerBytes > ResponseSizeLimitPolicy.MaxResponseBytes ? "over" : "within");
            (await source.FetchAsync(CancellationToken.None)).IsFound.Should().BeTrue("a normal answer is read through the shared options");
        }
    }

    [Fact]
    public async Task FetchAsync_PinnedVersion_ReadsThatVersionNotTheLatest()
    {
        var pinned = _vault.AddVersion(SecretName, TestKeys.Project('A'));
        _vault.AddVersion(SecretName, TestKeys.Project('B'));
        var source = _harness.Create(_vault, SecretName, o => o.Version = pinned.Id);

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('A'));
        result.Version.Should().Be(pinned.Id);
        source.Name.Should().Be($"AzureKeyVault:openai-api-key@{pinned.Id}");
        _vault.AuthenticatedRequests.Single().Path.Should().Be($"/secrets/openai-api-key/{pinned.Id}");
    }

    [Fact]
    public async Task FetchAsync_NewVersionAdded_NextFetchReturnsIt()
    {
        var first = _vault.AddVersion(SecretName, TestKeys.Project('A'));
        var source = _harness.Create(_vault, SecretName);
        (await source.FetchAsync(CancellationToken.None)).Version.Should().Be(first.Id);

        var second = _vault.AddVersion(SecretName, TestKeys.Project('B'));
        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('B'));
        result.Version.Should().Be(second.Id);
    }

    [Fact]
    public async Task FetchAsync_JsonField_ReturnsThatField()
    {
        _vault.AddVersion(SecretName, $$"""{"apiKey": "{{_sentinel}}", "organization": "org-test"}""");
        var source = _harness.Create(_vault, SecretName, o => o.JsonField = "apiKey");

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(_sentinel);
    }

    [Theory]
    [InlineData("{\"organization\": \"org-test\", \"key\": \"SENTINEL\"}", "has no field 'apiKey'")]
    [InlineData("{\"apiKey\": 42, \"other\": \"SENTINEL\"}", "is a number, not a string")]
    [InlineData("[\"SENTINEL\"]", "not an object")]
    [InlineData("SENTINEL", "is not valid JSON")]
    public async Task FetchAsync_JsonFieldNotUsable_ThrowsNamingFieldWithoutContent(string template, string expected)
    {
        _vault.AddVersion(SecretName, template.Replace("SENTINEL", _sentinel, StringComparison.Ordinal));
        var source = _harness.Create(_vault, SecretName, o => o.JsonField = "apiKey");

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain(expected);
        failure.IsTransient.Should().BeFalse();
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_JsonObjectWithoutJsonField_ThrowsAskingForJsonField()
    {
        _vault.AddVersion(SecretName, $$"""{"apiKey":"{{_sentinel}}"}""");
        var source = _harness.Create(_vault, SecretName);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("holds a JSON object").And.Contain("JsonField");
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_SecretMissing_ReturnsNotFoundSoTheChainFallsThrough()
    {
        var source = _harness.Create(_vault, SecretName);

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Contain("does not have the secret 'openai-api-key'")
            .And.Contain(_vault.VaultUri.ToString()).And.Contain("404 SecretNotFound");
    }

    [Fact]
    public async Task FetchAsync_PinnedVersionMissing_ReturnsNotFoundNamingVersion()
    {
        _vault.AddVersion(SecretName, _sentinel);
        var missing = Guid.NewGuid().ToString("N");
        var source = _harness.Create(_vault, SecretName, o => o.Version = missing);

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Contain($"version {missing} of the secret 'openai-api-key'");
    }

    [Fact]
    public async Task FetchAsync_DisabledSecret_ThrowsSayingItIsDisabled()
    {
        _vault.AddVersion(SecretName, _sentinel, enabled: false);
        var source = _harness.Create(_vault, SecretName);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("the secret is disabled").And.Contain("403 Forbidden/SecretDisabled").And.Contain("Enable it");
        failure.IsTransient.Should().BeFalse();
        failure.SourceName.Should().Be("AzureKeyVault:openai-api-key");
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_DisabledInResponseAttributes_ThrowsSayingItIsDisabled()
    {
        var version = _vault.AddVersion(SecretName, _sentinel);
        _vault.Enqueue(new ScriptedResponse(200, KeyVaultFixtures.SecretBody(_vault.VaultUri, SecretName, version with { Enabled = false })));
        var source = _harness.Create(_vault, SecretName);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("is disabled");
        AssertNoSecrets(failure);
    }

    [Theory]
    [InlineData("ForbiddenByRbac")]
    [InlineData("AccessDenied")]
    public async Task FetchAsync_IdentityLacksPermission_ThrowsNamingRoleAndAccessPolicy(string innerCode)
    {
        _vault.AddVersion(SecretName, _sentinel);
        var body = innerCode == "ForbiddenByRbac" ? KeyVaultFixtures.ForbiddenByRbacBody() : KeyVaultFixtures.AccessDeniedBody();
        _vault.Outage = new ScriptedResponse(403, body);
        var source = _harness.Create(_vault, SecretName);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("'Key Vault Secrets User' role")
            .And.Contain("'get' secret permission")
            .And.Contain("the secret is not disabled")
            .And.Contain("TestCredential")
            .And.Contain($"403 Forbidden/{innerCode}");
        failure.IsTransient.Should().BeFalse();
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_ExpiredSecret_ThrowsInsteadOfReturningIt()
    {
        var expiredAt = _harness.Time.GetUtcNow().AddMinutes(-1);
        _vault.AddVersion(SecretName, _sentinel, expiresOn: expiredAt);
        var source = _harness.Create(_vault, SecretName);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("expired at").And.Contain("it is not used");
        failure.IsTransient.Should().BeFalse();
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_NotYetValidSecret_ThrowsInsteadOfReturningIt()
    {
        _vault.AddVersion(SecretName, _sentinel, notBefore: _harness.Time.GetUtcNow().AddHours(1));
        var source = _harness.Create(_vault, SecretName);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("is not valid before").And.Contain("nbf");
        failure.IsTransient.Should().BeFalse();
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_ActivationDatePassed_ReturnsTheKey()
    {
        _vault.AddVersion(SecretName, _sentinel, notBefore: _harness.Time.GetUtcNow().AddHours(-1), expiresOn: _harness.Time.GetUtcNow().AddHours(1));
        var source = _harness.Create(_vault, SecretName);

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(_sentinel);
    }

    [Fact]
    public async Task FetchAsync_Throttled_IsTransientWithRetryAfterSeconds()
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.Outage = new ScriptedResponse(429, KeyVaultFixtures.ErrorBody("Throttled", "Request was not processed because too many requests were received."), ("Retry-After", "120"));
        var source = _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = _vault.ClientOptions(maxRetries: 0));

        var failure = await FetchFailureAsync(source);

        failure.IsTransient.Should().BeTrue();
        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(120));
        failure.Message.Should().Contain("throttling").And.Contain("429 Throttled");
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_ThrottledWithHttpDate_RetryAfterIsMeasuredOnTheApplicationClock()
    {
        _vault.AddVersion(SecretName, _sentinel);
        var retryAt = _harness.Time.GetUtcNow().AddSeconds(90).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        _vault.Outage = new ScriptedResponse(429, null, ("Retry-After", retryAt));
        var source = _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = _vault.ClientOptions(maxRetries: 0));

        var failure = await FetchFailureAsync(source);

        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task FetchAsync_TransientServerError_IsRetriedBySdkPipeline()
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.Enqueue(new ScriptedResponse(503, KeyVaultFixtures.ErrorBody("ServiceUnavailable", "The service is unavailable.")));
        var source = _harness.Create(_vault, SecretName);

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(_sentinel);
        _vault.AuthenticatedRequests.Should().HaveCount(2);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task FetchAsync_ServerErrorPersists_ThrowsTransient(int status)
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.Outage = new ScriptedResponse(status, KeyVaultFixtures.ErrorBody("InternalError", "Something failed."), ("Retry-After", "7"));
        var source = _harness.Create(_vault, SecretName, o => o.ConfigureClientOptions = _vault.ClientOptions(maxRetries: 0));

        var failure = await FetchFailureAsync(source);

        failure.IsTransient.Should().BeTrue();
        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        failure.Message.Should().Contain($"({status} InternalError");
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_CredentialFails_ThrowsNamingTheCredential()
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.Credential.Failure = new AuthenticationFailedException("TestCredential authentication failed: AADSTS700016: Application not found in the directory.");
        var source = _harness.Create(_vault, SecretName);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().StartWith("TestCredential could not get a token for Azure Key Vault")
            .And.Contain("AADSTS700016");
        failure.InnerException.Should().BeOfType<AuthenticationFailedException>();
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_CredentialUnavailable_ThrowsNonTransientNamingTheCredential()
    {
        _vault.AddVersion(SecretName, _sentinel);
        _vault.Credential.Failure = new CredentialUnavailableException("No managed identity endpoint found.");
        var source = _harness.Create(_vault, SecretName);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("TestCredential could not get a token").And.Contain("cannot be used in this environment");
        failure.IsTransient.Should().BeFalse();
    }

    [Fact]
    public async Task FetchAsync_TokenRejectedByVault_ThrowsNamingTheCredential()
    {
        _vault.AddVersion(SecretName, _sentinel);
        var otherTenant = new TestCredential();
        var source = _harness.Create(_vault, SecretName, o => o.Credential = otherTenant);

        var failure = await FetchFailureAsync(source);

        failure.Message.Should().Contain("rejected the token of TestCredential").And.Contain("401 Unauthorized");
        failure.IsTransient.Should().BeFalse();
        AssertNoSecrets(failure, otherTenant.Token);
    }

    [Fact]
    public async Task FetchAsync_VaultUnreachable_ThrowsTransient()
    {
        var stopped = await FakeKeyVault.StartAsync();
        var options = new AzureKeyVaultKeySourceOptions { Credential = stopped.Credential, ConfigureClientOptions = stopped.ClientOptions() };
        var vaultUri = stopped.VaultUri;
        await stopped.DisposeAsync();
        var source = _harness.Create(vaultUri, SecretName, options);

        var failure = await FetchFailureAsync(source);

        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain($"Azure Key Vault {vaultUri} could not be reached");
        failure.InnerException.Should().BeOfType<RequestFailedException>("the cause is kept once, not the retry policy's aggregate of one identical exception per attempt");
        failure.ToString().Should().NotContain("Retry failed after");
        AssertNoSecrets(failure);
    }

    [Fact]
    public async Task FetchAsync_Cancelled_ThrowsOperationCanceled()
    {
        _vault.AddVersion(SecretName, _sentinel);
        var source = _harness.Create(_vault, SecretName);

        var act = async () => await source.FetchAsync(new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>A Key Vault secret answer of exactly <paramref name="bytes"/> bytes (ASCII), sent without Content-Length.</summary>
    private static string AnswerOfExactly(int bytes)
    {
        const string Head = "{\"value\":\"";
        const string Tail = "\"}";
        return Head + new string('x', bytes - Head.Length - Tail.Length) + Tail;
    }

    private static async Task<OpenAIKeySourceException> FetchFailureAsync(AzureKeyVaultKeySource source)
    {
        var act = async () => await source.FetchAsync(CancellationToken.None);
        return (await act.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
    }

    private void AssertNoSecrets(Exception failure, params string[] more)
    {
        string[] secrets = [_sentinel, _vault.Credential.Token, .. more];
        failure.ShouldNotContainSecrets(secrets);
        _harness.Logs.ShouldNotContainSecrets(secrets);
    }
}
