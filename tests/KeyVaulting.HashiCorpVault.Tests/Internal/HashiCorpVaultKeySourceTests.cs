using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Tests.Internal;

public sealed class HashiCorpVaultKeySourceTests : IAsyncLifetime
{
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Name_MountAndPath_IsTypeMountAndPath()
    {
        var source = _host.CreateSource("/team/openai/", o => o.MountPoint = "kv/");

        source.Name.Should().Be("HashiCorpVault:kv/team/openai");
    }

    [Fact]
    public async Task FetchAsync_KvV2Secret_ReturnsKeyWithItsVersion()
    {
        var key = TestKeys.Project('A');
        var token = _host.SeedKeyAndToken(key);
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        result.Value.Should().Be(key);
        result.Version.Should().Be("1");
        result.ExpiresAt.Should().BeNull("a KV v2 read has no lease");
        var read = _host.Server.Requests.Single(r => r.Path == "secret/data/openai");
        read.Method.Should().Be("GET");
        read.Token.Should().Be(token);
        read.HasVaultRequestHeader.Should().BeTrue("Vault Agent and Proxy may require X-Vault-Request");
        read.Namespace.Should().BeNull();
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_NewVersionWritten_ReturnsTheNewVersionOnTheNextFetch()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Numbered(1));
        var source = _host.CreateSource("openai", o => o.UseToken(token));
        (await source.FetchAsync(CancellationToken.None)).Version.Should().Be("1");

        _host.Vault.PutKey("openai", TestKeys.Numbered(2));
        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(2));
        result.Version.Should().Be("2");
    }

    [Fact]
    public async Task FetchAsync_VersionPinned_ReadsThatVersionEvenWhenNewerOnesExist()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Numbered(1));
        _host.Vault.PutKey("openai", TestKeys.Numbered(2));
        _host.Vault.PutKey("openai", TestKeys.Numbered(3));
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(token);
            o.Version = 2;
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(2));
        result.Version.Should().Be("2");
        _host.Server.Requests.Single(r => r.Path == "secret/data/openai").Query.Should().Be("?version=2");
    }

    [Fact]
    public async Task FetchAsync_KvV1Secret_ReturnsKeyWithoutVersionAndItsLeaseAsExpiry()
    {
        var key = TestKeys.Project('B');
        _host.Vault.EnableKv("kv", version: 1);
        _host.Vault.PutKv1("kv", "apps/openai", new Dictionary<string, object?> { ["api_key"] = key }, ttl: TimeSpan.FromHours(1));
        var token = _host.Vault.CreateToken(new TokenPolicy { Read = ["kv/apps/openai"] });
        var source = _host.CreateSource("apps/openai", o =>
        {
            o.UseToken(token);
            o.MountPoint = "kv";
            o.KvVersion = 1;
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(key);
        result.Version.Should().BeNull("KV v1 has no versions");
        result.ExpiresAt.Should().Be(_host.Time.GetUtcNow() + TimeSpan.FromHours(1), "KV v1's lease_duration tells how often to re-read");
        _host.Server.Requests.Should().Contain(r => r.Path == "kv/apps/openai");
    }

    [Fact]
    public async Task FetchAsync_CustomMountAndField_ReadsThatField()
    {
        var key = TestKeys.Project('C');
        _host.Vault.EnableKv("apps");
        _host.Vault.PutKv2("apps", "ai/openai", new Dictionary<string, object?> { ["key"] = key, ["api_key"] = "not-this-one-" + Guid.NewGuid() });
        var token = _host.Vault.CreateToken(new TokenPolicy { Read = ["apps/data/ai/openai"] });
        var source = _host.CreateSource("ai/openai", o =>
        {
            o.UseToken(token);
            o.MountPoint = "apps";
            o.JsonField = "key";
        });

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(key);
    }

    [Fact]
    public async Task FetchAsync_Namespace_SendsHeaderAndReadsTheNamespacedSecret()
    {
        var key = TestKeys.Project('N');
        _host.Vault.EnableKv(ns: "team-a");
        _host.Vault.PutKey("openai", key, ns: "team-a");
        _host.Vault.EnableKv();
        _host.Vault.PutKey("openai", TestKeys.Project('R'));
        var token = _host.Vault.CreateToken();
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(token);
            o.Namespace = "/team-a/";
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(key);
        _host.Server.Requests.Should().OnlyContain(r => r.Namespace == "team-a");
    }

    [Fact]
    public async Task FetchAsync_SecretMissing_ReturnsNotFoundNamingThePath()
    {
        _host.Vault.EnableKv();
        var token = _host.Vault.CreateToken();
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Contain("secret/data/openai").And.Contain("HTTP 404").And.Contain("MountPoint");
    }

    [Fact]
    public async Task FetchAsync_LatestVersionDeleted_ReturnsNotFoundSayingHowToUndelete()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Numbered(1));
        _host.Vault.PutKey("openai", TestKeys.Numbered(2));
        _host.Vault.DeleteKv2Version("secret", "openai", 2);
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Contain("version 2 of the secret at secret/data/openai was deleted")
            .And.Contain("vault kv undelete -mount=secret -versions=2 openai");
    }

    [Fact]
    public async Task FetchAsync_LatestVersionDestroyed_ReturnsNotFoundSayingItIsGone()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Numbered(1));
        _host.Vault.DestroyKv2Version("secret", "openai", 1);
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Contain("version 1 of the secret at secret/data/openai was destroyed").And.Contain("vault kv put -mount=secret openai api_key=");
    }

    [Fact]
    public async Task FetchAsync_PinnedVersionMissing_ReturnsNotFoundNamingTheVersion()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Numbered(1));
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(token);
            o.Version = 7;
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Reason.Should().Contain("no version 7 of the secret at secret/data/openai");
    }

    [Fact]
    public async Task FetchAsync_KvV1PathOnKvV2Mount_NotFoundCarriesAndLogsVaultsWarning()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Numbered(1), new TokenPolicy { Read = ["*"] });
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(token);
            o.KvVersion = 1;
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Contain("Vault warned: Invalid path for a versioned K/V secrets engine");
        var warning = _host.Logs.GetSnapshot().Single(r => r.Id.Id == 320);
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("Invalid path for a versioned K/V secrets engine").And.Contain("HashiCorpVault:secret/openai");
    }

    [Fact]
    public async Task FetchAsync_PolicyDeniesRead_ThrowsNamingThePathAndTheReadCapability()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Project(), new TokenPolicy { Read = ["secret/data/other"] });
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.SourceName.Should().Be("HashiCorpVault:secret/openai");
        exception.Message.Should().Contain("HTTP 403: 1 error occurred: * permission denied")
            .And.Contain("'read' capability on 'secret/data/openai'")
            .And.Contain("path \"secret/data/openai\" { capabilities = [\"read\"] }");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task FetchAsync_PolicyDeniesKvV1Read_NamesTheKvV1Path()
    {
        _host.Vault.EnableKv("kv", version: 1);
        _host.Vault.PutKv1("kv", "openai", new Dictionary<string, object?> { ["api_key"] = TestKeys.Project() });
        var token = _host.Vault.CreateToken(new TokenPolicy { Read = ["kv/other"] });
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(token);
            o.MountPoint = "kv";
            o.KvVersion = 1;
        });

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain("'read' capability on 'kv/openai'");
    }

    [Fact]
    public async Task FetchAsync_VaultSealed_ThrowsTransientSayingSealed()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Project());
        _host.Server.Inject(r => r.Path == "secret/data/openai", 503, """{"errors":["Vault is sealed"]}""");
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeTrue();
        exception.Message.Should().Contain("HTTP 503: Vault is sealed").And.Contain("sealed, a standby");
    }

    [Fact]
    public async Task FetchAsync_StandbyWithoutActiveNode_ThrowsTransient()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Project());
        _host.Server.Inject(r => r.Path == "secret/data/openai", 503, """{"errors":["local node not active but active cluster node not found"]}""");
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeTrue();
        exception.Message.Should().Contain("active cluster node not found");
    }

    [Fact]
    public async Task FetchAsync_RateLimitQuotaExceeded_ThrowsTransientWithRetryAfter()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Project());
        _host.Server.Inject(
            r => r.Path == "secret/data/openai",
            429,
            """{"errors":["request path \"secret/data/openai\": rate limit quota exceeded"]}""",
            headers: ("Retry-After", "7"));
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeTrue();
        exception.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        exception.Message.Should().Contain("rate limit quota exceeded").And.Contain("rate limiting");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    public async Task FetchAsync_ServerError_ThrowsTransientWithVaultsErrors(int status)
    {
        var token = _host.SeedKeyAndToken(TestKeys.Project());
        _host.Server.Inject(r => r.Path == "secret/data/openai", status, """{"errors":["storage backend unavailable"]}""");
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeTrue();
        exception.Message.Should().Contain($"HTTP {status}: storage backend unavailable");
    }

    [Fact]
    public async Task FetchAsync_BadRequest_ThrowsNonTransientWithVaultsErrors()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Project());
        _host.Server.Inject(r => r.Path == "secret/data/openai", 400, """{"errors":["unsupported path"],"warnings":["check the mount"]}""");
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("HTTP 400: unsupported path").And.Contain("Check MountPoint ('secret')");
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 320 && r.Message.Contains("check the mount"));
    }

    [Fact]
    public async Task FetchAsync_VaultErrorQuotesASecret_SecretIsRedacted()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Project());
        _host.Server.Inject(r => r.Path == "secret/data/openai", 500, $$"""{"errors":["bad token {{token}} somewhere"],"warnings":["token {{token}} again"]}""");
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain("bad token [redacted] somewhere");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task FetchAsync_FieldMissing_ThrowsListingTheFieldNamesButNoValues()
    {
        _host.Vault.EnableKv();
        var other = "some-other-secret-" + Guid.NewGuid();
        _host.Vault.PutKv2("secret", "openai", new Dictionary<string, object?> { ["OPENAI_API_KEY"] = TestKeys.Project(), ["org"] = other });
        var token = _host.Vault.CreateToken();
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("has no field 'api_key'")
            .And.Contain("its fields are 'OPENAI_API_KEY', 'org' (values not shown)")
            .And.Contain("version 1");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task FetchAsync_FieldMissingAndAKeyPastedAsAFieldName_ListsTheFieldNamesWithTheKeyRedacted()
    {
        _host.Vault.EnableKv();
        var pasted = TestKeys.Project('P');
        _host.Vault.PutKv2("secret", "openai", new Dictionary<string, object?> { [pasted] = "", ["org"] = "org-test" });
        var token = _host.Vault.CreateToken();
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain("has no field 'api_key'").And.Contain("'sk-…[redacted]', 'org' (values not shown)");
        exception.ShouldNotContainSecrets(pasted);
        _host.Logs.ShouldNotContainSecrets(pasted);
    }

    [Fact]
    public async Task FetchAsync_FieldIsNotAString_ThrowsSayingWhatItIs()
    {
        _host.Vault.EnableKv();
        _host.Vault.PutKv2("secret", "openai", new Dictionary<string, object?> { ["api_key"] = 42 });
        var token = _host.Vault.CreateToken();
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain("The field 'api_key'").And.Contain("is a number, not a string");
    }

    [Fact]
    public async Task FetchAsync_FieldIsEmpty_ThrowsNonTransientNamingTheFieldSoTheChainDoesNotFallThrough()
    {
        var token = _host.SeedKeyAndToken("  ");
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        var failure = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("The field 'api_key' (JsonField) of the secret at secret/data/openai (version 1) is empty");
    }

    [Fact]
    public async Task FetchAsync_VaultUnreachable_ThrowsTransientNamingTheAddress()
    {
        var token = _host.SeedKeyAndToken(TestKeys.Project());
        var closed = new Uri($"http://127.0.0.1:{LoopbackPorts.Closed()}/");
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(token);
            o.Address = closed;
        });

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeTrue();
        exception.Message.Should().Contain($"Vault at {closed.GetLeftPart(UriPartial.Authority)} could not be reached").And.Contain("VAULT_ADDR");
        _host.ShouldNotLeakSecrets(exception);
    }
}
