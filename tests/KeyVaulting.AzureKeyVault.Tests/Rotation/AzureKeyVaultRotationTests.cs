using KeyVaulting.AzureKeyVault.Tests.Infrastructure;
using KeyVaulting.Rotation.Internal;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.AzureKeyVault.Tests.Rotation;

/// <summary>
/// The Key Vault rotation target through the Azure SDK against the HTTPS fake vault (with its challenge): new versions
/// through Set Secret, tags for the key's id and the rotation, the winner decided after the write, the revoked key's
/// versions disabled.
/// </summary>
public sealed class AzureKeyVaultRotationTests : IAsyncLifetime
{
    private const string SecretName = "openai-api-key";

    private readonly SourceHarness _harness = new();
    private FakeKeyVault _vault = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVault.StartAsync();
        _vault.Time = _harness.Time;
        _vault.AddVersion(SecretName, TestKeys.Numbered(1));
    }

    public async Task DisposeAsync()
    {
        await _vault.DisposeAsync();
        _harness.Dispose();
    }

    [Fact]
    public async Task ReadAsync_KeyPutByHand_HasUnknownIdAndTheVersionsCreationTime()
    {
        var target = CreateTarget();

        var state = await target.ReadAsync(CancellationToken.None);

        target.Name.Should().Be("AzureKeyVault:openai-api-key", "the target is named like the source of the same secret");
        state.Version.Should().Be(_vault.Latest(SecretName)!.Id);
        state.Current!.KeyId.Should().BeNull("a key put there by hand has no id the rotator knows");
        state.Current.CreatedAt.Should().Be(_vault.Latest(SecretName)!.Created);
        state.Pending.Should().BeNull();
        state.Previous.Should().BeNull();
    }

    [Fact]
    public async Task StageThenPromoteThenComplete_SourceReadsOnlyTheCurrentKeyAndTheOldVersionsAreDisabled()
    {
        var target = CreateTarget();
        var source = _harness.Create(_vault, SecretName);
        var newKey = TestKeys.Numbered(2);
        var expiresAt = _harness.Time.GetUtcNow().AddDays(31);
        var record = new OpenAIKeyRecord { KeyId = "key_new", ServiceAccountId = "svc_acct_app", CreatedAt = _harness.Time.GetUtcNow(), ExpiresAt = expiresAt };
        var first = _vault.Latest(SecretName)!.Id;

        var read = await target.ReadAsync(CancellationToken.None);
        (await target.TryStageAsync(read, Claim("rotator-a"), CancellationToken.None)).Should().BeTrue();
        var claimed = await target.ReadAsync(CancellationToken.None);
        claimed.Pending!.ClaimedBy.Should().Be("rotator-a");
        claimed.Pending.Record.Should().BeNull();

        var staged = new OpenAIKeyRotationPending { RotationId = claimed.Pending.RotationId, StartedAt = claimed.Pending.StartedAt, ClaimedBy = "rotator-a", Key = Key(newKey, record), Record = record };
        (await target.TryStageAsync(claimed, staged, CancellationToken.None)).Should().BeTrue();
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(TestKeys.Numbered(1), "a staged key is never served");
        var stagedState = await target.ReadAsync(CancellationToken.None);
        stagedState.Pending!.Record!.KeyId.Should().Be("key_new");
        stagedState.Pending.Key.Should().BeNull("Key Vault keeps no staged value: a tag is no place for a key");

        var promotedAt = _harness.Time.GetUtcNow();
        (await target.TryPromoteAsync(stagedState, staged, promotedAt, CancellationToken.None)).Should().BeTrue();
        var served = await source.FetchAsync(CancellationToken.None);
        served.Value.Should().Be(newKey);
        served.ExpiresAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()), "the version's exp is the key's expires_at");
        var promoted = await target.ReadAsync(CancellationToken.None);
        promoted.Current!.KeyId.Should().Be("key_new");
        promoted.Previous!.KeyId.Should().BeNull("the replaced key was put there by hand");
        promoted.PreviousSupersededAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(promotedAt.ToUnixTimeSeconds()));
        promoted.Pending.Should().BeNull();
        _vault.Latest(SecretName)!.Tags["KeyVaulting-KeyId"].Should().Be("key_new", "the key's id is a tag of its version, readable in the portal");

        (await target.TryCompleteAsync(promoted, CancellationToken.None)).Should().BeTrue();
        var completed = await target.ReadAsync(CancellationToken.None);
        completed.Previous.Should().BeNull();
        completed.Current!.KeyId.Should().Be("key_new");
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(newKey);

        var versions = _vault.VersionsOf(SecretName);
        versions.Where(v => v.Value == TestKeys.Numbered(1)).Should().OnlyContain(v => !v.Enabled, "every version that held the revoked key is disabled once it is revoked");
        versions.Single(v => v.Id == first).Enabled.Should().BeFalse();
        versions.Where(v => v.Value == newKey).Should().OnlyContain(v => v.Enabled);
        versions.SelectMany(v => v.Tags.Values).Should().NotContain(t => t.Contains(newKey, StringComparison.Ordinal) || t.Contains(TestKeys.Numbered(1), StringComparison.Ordinal), "no tag holds a key");
        _harness.Logs.ShouldNotContainSecrets(newKey, TestKeys.Numbered(1));
    }

    [Fact]
    public async Task TryStageAsync_TwoRotatorsFromTheSameVersion_ExactlyOneWins()
    {
        var first = CreateTarget();
        var second = CreateTarget();
        var read = await first.ReadAsync(CancellationToken.None);

        var results = await Task.WhenAll(
            first.TryStageAsync(read, Claim("first"), CancellationToken.None).AsTask(),
            second.TryStageAsync(read, Claim("second"), CancellationToken.None).AsTask());

        results.Count(r => r).Should().Be(1, "of two writes based on the same version, the one checked alone or first wins");
        var state = await first.ReadAsync(CancellationToken.None);
        state.Pending!.ClaimedBy.Should().Be(results[0] ? "first" : "second", "readers see the winner's write, never the loser's");
        _vault.VersionsOf(SecretName)
            .Count(v => v.Tags.GetValueOrDefault("KeyVaulting-Based") == read.Version && !v.Tags.ContainsKey("KeyVaulting-Withdrawn"))
            .Should().Be(1, "the loser either found the state changed before writing, or withdrew the version it wrote");
    }

    [Fact]
    public async Task TryStageAsync_SecondWriteAfterTheFirstWasChecked_LosesAndIsWithdrawn()
    {
        var first = CreateTarget();
        var second = CreateTarget();
        var read = await first.ReadAsync(CancellationToken.None);

        (await first.TryStageAsync(read, Claim("first"), CancellationToken.None)).Should().BeTrue();
        (await second.TryStageAsync(read, Claim("second"), CancellationToken.None)).Should().BeFalse("the version it read is no longer the state");

        (await second.ReadAsync(CancellationToken.None)).Pending!.ClaimedBy.Should().Be("first");
    }

    [Fact]
    public async Task TryPromoteAsync_KeyWrittenByHandMeanwhile_ReturnsFalseAndLeavesTheHandWrittenKey()
    {
        var target = CreateTarget();
        var read = await target.ReadAsync(CancellationToken.None);
        (await target.TryStageAsync(read, Claim("a"), CancellationToken.None)).Should().BeTrue();
        var claimed = await target.ReadAsync(CancellationToken.None);
        _vault.AddVersion(SecretName, TestKeys.Numbered(3)); // az keyvault secret set, by hand

        var promoted = await target.TryPromoteAsync(claimed, Staged(claimed, TestKeys.Numbered(2)), _harness.Time.GetUtcNow(), CancellationToken.None);

        promoted.Should().BeFalse();
        _vault.Latest(SecretName)!.Value.Should().Be(TestKeys.Numbered(3));
        var state = await target.ReadAsync(CancellationToken.None);
        state.Pending.Should().BeNull("a version written by hand starts over: the rotation's tags are gone");
        state.Current!.KeyId.Should().BeNull();
    }

    [Fact]
    public void CreateTarget_PinnedVersionOrJsonField_IsRefusedWithTheFix()
    {
        var withVersion = () => AzureKeyVaultRotation.CreateTarget(_harness.Services, _vault.VaultUri, SecretName, o => { o.Credential = _vault.Credential; o.Version = "abc"; });
        var withField = () => AzureKeyVaultRotation.CreateTarget(_harness.Services, _vault.VaultUri, SecretName, o => { o.Credential = _vault.Credential; o.JsonField = "api_key"; });

        withVersion.Should().Throw<ArgumentException>().WithMessage("*remove Version*");
        withField.Should().Throw<ArgumentException>().WithMessage("*remove JsonField*");
    }

    [Fact]
    public async Task ReadAsync_NoSecretYet_SaysHowToPutTheFirstKeyWithoutTheCommandLine()
    {
        var target = CreateTarget("not-created-yet");

        var read = async () => await target.ReadAsync(CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        failure.Message.Should().Contain("no key to rotate").And.Contain("keyvaulting set").And.Contain("--file").And.NotContain("--value");
        failure.IsTransient.Should().BeFalse();
    }

    [Fact]
    public async Task ReadAsync_IdentityWithoutPermission_NamesTheRoleItNeeds()
    {
        var target = CreateTarget();
        _vault.Enqueue(new ScriptedResponse(403, KeyVaultFixtures.ForbiddenByRbacBody()));

        var read = async () => await target.ReadAsync(CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        failure.Message.Should().Contain("Key Vault Secrets Officer");
        failure.IsTransient.Should().BeFalse();
        failure.SourceName.Should().Be("AzureKeyVault:openai-api-key");
    }

    [Fact]
    public void RotationConfiguration_TypeAzureKeyVault_FindsThisPackagesTargetWithTheSourcesSettings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Target:Type"] = "AzureKeyVault",
            ["Target:VaultUri"] = _vault.VaultUri.ToString(),
            ["Target:SecretName"] = SecretName,
            ["Target:CredentialType"] = "AzureCli",
        }).Build();

        var target = new RotationTargetRegistry([], _harness.Services).Create("rotation", configuration.GetSection("Target"));

        target.Name.Should().Be("AzureKeyVault:openai-api-key", "the rotation package finds the factory by its type name, with no registration");
    }

    [Fact]
    public void RotationConfiguration_PinnedVersion_IsRefusedNamingThePath()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Target:Type"] = "AzureKeyVault",
            ["Target:VaultUri"] = _vault.VaultUri.ToString(),
            ["Target:SecretName"] = SecretName,
            ["Target:Version"] = "0123456789abcdef0123456789abcdef",
        }).Build();

        var create = () => new RotationTargetRegistry([], _harness.Services).Create("rotation", configuration.GetSection("Target"));

        create.Should().Throw<InvalidOperationException>().WithMessage("Configuration 'Target' cannot be a rotation target: Version pins one version*");
    }

    [Theory]
    [InlineData("ClientSecret", "'Target:ClientSecret' is not allowed")]
    [InlineData("Credential", "'Target:Credential' cannot choose the credential")]
    public void RotationConfiguration_CredentialInConfiguration_IsRefusedAsForTheSource(string setting, string message)
    {
        var value = "not-a-setting-" + Guid.NewGuid();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Target:Type"] = "AzureKeyVault",
            ["Target:VaultUri"] = _vault.VaultUri.ToString(),
            ["Target:SecretName"] = SecretName,
            [$"Target:{setting}"] = value,
        }).Build();

        var create = () => new RotationTargetRegistry([], _harness.Services).Create("rotation", configuration.GetSection("Target"));

        var failure = create.Should().Throw<InvalidOperationException>().Which;
        failure.Message.Should().Contain(message);
        failure.ShouldNotContainSecrets(value);
    }

    private IOpenAIKeyRotationTarget CreateTarget(string secretName = SecretName)
        => AzureKeyVaultRotation.CreateTarget(_harness.Services, _vault.VaultUri, secretName, o =>
        {
            o.Credential = _vault.Credential;
            o.ConfigureClientOptions = _vault.ClientOptions();
        });

    private OpenAIKeyRotationPending Claim(string rotator)
        => new() { RotationId = Guid.NewGuid().ToString("D"), StartedAt = _harness.Time.GetUtcNow(), ClaimedBy = rotator };

    private OpenAIKeyRotationPending Staged(OpenAIKeyRotationState claimed, string key)
    {
        var record = new OpenAIKeyRecord { KeyId = "key_x", CreatedAt = _harness.Time.GetUtcNow() };
        return new() { RotationId = claimed.Pending!.RotationId, StartedAt = claimed.Pending.StartedAt, ClaimedBy = claimed.Pending.ClaimedBy, Key = Key(key, record), Record = record };
    }

    private OpenAIKey Key(string value, OpenAIKeyRecord record) => new(value, "test", version: null, _harness.Time.GetUtcNow(), record.ExpiresAt);
}
