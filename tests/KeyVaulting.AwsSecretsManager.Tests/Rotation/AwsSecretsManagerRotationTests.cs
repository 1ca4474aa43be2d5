using System.Text.Json.Nodes;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.AwsSecretsManager.Tests.Rotation;

/// <summary>
/// The Secrets Manager rotation target over the real wire protocol (SigV4-verified) against the fake's documented
/// semantics of PutSecretValue, UpdateSecretVersionStage and DescribeSecret.
/// </summary>
public sealed class AwsSecretsManagerRotationTests : IAsyncLifetime
{
    private const string SecretName = "prod/openai";

    private SourceHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await SourceHarness.StartAsync();
        _harness.Put(SecretName, $"{{\"api_key\": \"{TestKeys.Numbered(1)}\", \"team\": \"ai\"}}");
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task ReadAsync_KeyPutByHand_HasUnknownIdAndTheVersionsCreationTime()
    {
        var target = CreateTarget();

        var state = await target.ReadAsync(CancellationToken.None);

        target.Name.Should().Be("AwsSecretsManager:prod/openai", "the target is named like the source of the same secret");
        state.Current!.KeyId.Should().BeNull("a key put there by hand has no id the rotator knows");
        state.Current.CreatedAt.Should().Be(SourceHarness.Start);
        state.Pending.Should().BeNull();
        state.Previous.Should().BeNull();
    }

    [Fact]
    public async Task ClaimStagePromoteComplete_MovesSecretsManagersOwnLabelsAndTheSourceFollowsAwsCurrent()
    {
        var target = CreateTarget();
        var source = _harness.CreateSource(SecretName, o => o.JsonField = "api_key");
        var newKey = TestKeys.Numbered(2);
        _harness.RememberSecret(newKey);
        var rotationId = Guid.NewGuid().ToString();
        var record = new OpenAIKeyRecord { KeyId = "key_new", ServiceAccountId = "svc_acct_app", CreatedAt = _harness.Time.GetUtcNow(), ExpiresAt = _harness.Time.GetUtcNow().AddDays(31) };
        var original = _harness.Server.Labels(SecretName).Single().Key;

        var read = await target.ReadAsync(CancellationToken.None);
        (await target.TryStageAsync(read, Claim(rotationId, "rotator-a"), CancellationToken.None)).Should().BeTrue();
        var claimed = await target.ReadAsync(CancellationToken.None);
        claimed.Pending!.RotationId.Should().Be(rotationId);
        claimed.Pending.Record.Should().BeNull("a claim has no key yet");

        (await target.TryStageAsync(claimed, Staged(rotationId, newKey, record), CancellationToken.None)).Should().BeTrue();
        _harness.Server.Labels(SecretName)[rotationId].Should().Equal(["AWSPENDING"], "the staged key's version id is the rotation id, its ClientRequestToken");
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(TestKeys.Numbered(1), "readers follow AWSCURRENT only");
        var staged = await target.ReadAsync(CancellationToken.None);
        staged.Pending!.Key!.Value.Should().Be(newKey, "Secrets Manager keeps the staged key, so a rotator that restarts carries on with it");
        staged.Pending.Record!.KeyId.Should().Be("key_new");

        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        (await target.TryPromoteAsync(staged, staged.Pending, _harness.Time.GetUtcNow(), CancellationToken.None)).Should().BeTrue();
        var labels = _harness.Server.Labels(SecretName);
        labels[rotationId].Should().Equal(["AWSCURRENT"]);
        labels[original].Should().Equal(["AWSPREVIOUS"], "Secrets Manager moves AWSPREVIOUS to the version AWSCURRENT left");
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(newKey);
        var promoted = await target.ReadAsync(CancellationToken.None);
        promoted.Current!.KeyId.Should().Be("key_new");
        promoted.Previous!.KeyId.Should().BeNull("the replaced key was put there by hand");
        promoted.PreviousSupersededAt.Should().Be(_harness.Time.GetUtcNow(), "the grace period starts when the labels moved");
        promoted.Pending.Should().BeNull();

        (await target.TryCompleteAsync(promoted, CancellationToken.None)).Should().BeTrue();
        _harness.Server.Labels(SecretName).Should().ContainSingle().Which.Key.Should().Be(rotationId, "the revoked key's version keeps no label");
        (await target.ReadAsync(CancellationToken.None)).Previous.Should().BeNull();

        var written = JsonNode.Parse(_harness.Server.TextAt(SecretName, "AWSCURRENT")!)!;
        written["keyvaulting"]!["key_id"]!.GetValue<string>().Should().Be("key_new", "the key id is kept with its version, in the JSON secret");
        _harness.Server.Requests.Should().OnlyContain(r => r.SignatureValid == true, "every operation is SigV4-signed");
        _harness.ShouldLeakNothing();
    }

    [Fact]
    public async Task TryStageAsync_TwoRotatorsClaimFromTheSameState_ExactlyOneWins()
    {
        var first = CreateTarget();
        var second = CreateTarget();
        var read = await first.ReadAsync(CancellationToken.None);
        var rotationId = Guid.NewGuid().ToString();

        var results = await Task.WhenAll(
            first.TryStageAsync(read, Claim(rotationId, "rotator-a"), CancellationToken.None).AsTask(),
            second.TryStageAsync(read, Claim(rotationId, "rotator-b"), CancellationToken.None).AsTask());

        results.Count(r => r).Should().Be(1, "the ClientRequestToken comes from the state read: the second put with other content is refused");
        (await first.ReadAsync(CancellationToken.None)).Pending!.ClaimedBy.Should().Be(results[0] ? "rotator-a" : "rotator-b");
    }

    [Fact]
    public async Task TryStageAsync_SameStageRetried_IsIdempotent()
    {
        var target = CreateTarget();
        var rotationId = Guid.NewGuid().ToString();
        var read = await target.ReadAsync(CancellationToken.None);
        await target.TryStageAsync(read, Claim(rotationId, "rotator-a"), CancellationToken.None);
        var claimed = await target.ReadAsync(CancellationToken.None);
        var staged = Staged(rotationId, TestKeys.Numbered(2), new OpenAIKeyRecord { KeyId = "key_new" });
        (await target.TryStageAsync(claimed, staged, CancellationToken.None)).Should().BeTrue();
        var versions = _harness.Server.VersionCount(SecretName);

        // The answer was lost; the rotator puts the same content with the same token again.
        var retried = await PutAgainAsync(target, rotationId, staged);

        retried.Should().BeTrue();
        _harness.Server.VersionCount(SecretName).Should().Be(versions, "the token makes the put idempotent");
    }

    [Fact]
    public async Task TryPromoteAsync_LabelsMovedSinceRead_ReturnsFalseAndAwsCurrentStays()
    {
        var target = CreateTarget();
        var rotationId = Guid.NewGuid().ToString();
        var read = await target.ReadAsync(CancellationToken.None);
        await target.TryStageAsync(read, Claim(rotationId, "rotator-a"), CancellationToken.None);
        var claimed = await target.ReadAsync(CancellationToken.None);
        await target.TryStageAsync(claimed, Staged(rotationId, TestKeys.Numbered(2), new OpenAIKeyRecord { KeyId = "key_new" }), CancellationToken.None);
        var staged = await target.ReadAsync(CancellationToken.None);
        _harness.Put(SecretName, $"{{\"api_key\": \"{TestKeys.Numbered(3)}\"}}"); // put by hand meanwhile

        var promoted = await target.TryPromoteAsync(staged, staged.Pending!, _harness.Time.GetUtcNow(), CancellationToken.None);

        promoted.Should().BeFalse();
        _harness.Server.TextAt(SecretName, "AWSCURRENT").Should().Contain(TestKeys.Numbered(3));
    }

    [Fact]
    public async Task TryDiscardAsync_StagedKey_PendingGoesToADiscardedVersionAndTheNextStateIsNew()
    {
        var target = CreateTarget();
        var rotationId = Guid.NewGuid().ToString();
        var before = await target.ReadAsync(CancellationToken.None);
        await target.TryStageAsync(before, Claim(rotationId, "rotator-a"), CancellationToken.None);
        var claimed = await target.ReadAsync(CancellationToken.None);

        (await target.TryDiscardAsync(claimed, CancellationToken.None)).Should().BeTrue();

        var after = await target.ReadAsync(CancellationToken.None);
        after.Pending.Should().BeNull();
        after.Version.Should().NotBe(before.Version, "a rotation after a rollback gets a new id, so a new ClientRequestToken");
        _harness.Server.TextAt(SecretName, "AWSCURRENT").Should().Contain(TestKeys.Numbered(1), "the current key is untouched");
    }

    [Fact]
    public async Task TryStageAsync_PutSecretValueDenied_FailsNamingTheActionsWithoutSecrets()
    {
        _harness.Server.DenyAction(_harness.Identity, "PutSecretValue");
        var target = CreateTarget();
        var read = await target.ReadAsync(CancellationToken.None);

        var act = () => target.TryStageAsync(read, Claim(Guid.NewGuid().ToString(), "rotator-a"), CancellationToken.None).AsTask();

        var failure = (await act.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        failure.SourceName.Should().Be("AwsSecretsManager:prod/openai");
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("secretsmanager:PutSecretValue").And.Contain("UpdateSecretVersionStage").And.Contain("DescribeSecret");
        _harness.ShouldLeakNothing(failure);
    }

    [Fact]
    public async Task ReadAsync_SecretWithoutAnyVersion_FailsNamingHowToPutTheFirstKey()
    {
        _harness.Server.CreateEmpty("empty");
        var target = AwsSecretsManagerRotation.CreateTarget(_harness.Services, "empty", Configure);

        var act = () => target.ReadAsync(CancellationToken.None).AsTask();

        (await act.Should().ThrowAsync<OpenAIKeySourceException>()).Which.Message.Should().Contain("no AWSCURRENT version").And.Contain("keyvaulting set").And.Contain("file://");
    }

    [Fact]
    public void CreateTarget_WithoutJsonField_ThrowsNamingJsonField()
    {
        var act = () => AwsSecretsManagerRotation.CreateTarget(_harness.Services, SecretName, o =>
        {
            Configure(o);
            o.JsonField = null;
        });

        act.Should().Throw<ArgumentException>().WithMessage("*JsonField is required*");
    }

    [Fact]
    public void Factory_Configuration_CreatesTheTargetOfTheSourcesSettings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Target:Type"] = "AwsSecretsManager",
            ["Target:SecretId"] = SecretName,
            ["Target:JsonField"] = "api_key",
            ["Target:Region"] = FakeSecretsManager.Region,
            ["Target:ServiceUrl"] = _harness.Server.Url.ToString(),
        }).Build();

        var target = new AwsSecretsManagerRotationTargetFactory().Create(new OpenAIKeySourceFactoryContext("rotation", configuration.GetSection("Target"), _harness.Services));

        target.Name.Should().Be("AwsSecretsManager:prod/openai");
    }

    private IOpenAIKeyRotationTarget CreateTarget() => AwsSecretsManagerRotation.CreateTarget(_harness.Services, SecretName, Configure);

    private void Configure(AwsSecretsManagerKeySourceOptions options)
    {
        options.ServiceUrl = _harness.Server.Url;
        options.Region = FakeSecretsManager.Region;
        options.Credentials = _harness.Identity.Credentials;
        options.JsonField = "api_key";
    }

    /// <summary>Puts the staged key's version once more, with the same token and content, as a retry after a lost answer does.</summary>
    private async Task<bool> PutAgainAsync(IOpenAIKeyRotationTarget target, string rotationId, OpenAIKeyRotationPending staged)
    {
        // The state moved on (AWSPENDING is on the staged version now); the put itself is what is retried.
        var content = KeyVaulting.AwsSecretsManager.Internal.Rotation.SecretVersionContent.ForKey("api_key", staged.Key!.Value, staged);
        var client = ((KeyVaulting.AwsSecretsManager.Internal.Rotation.SecretsManagerRotationTarget)target).Client;
        var (response, _) = await client.SendAsync(
            KeyVaulting.AwsSecretsManager.Internal.Rotation.SecretsManagerRotationOperations.PutSecretValue,
            KeyVaulting.AwsSecretsManager.Internal.Rotation.SecretsManagerRotationOperations.PutBody(SecretName, rotationId, content, "AWSPENDING"),
            CancellationToken.None);
        using (response)
        {
            return response.IsSuccess;
        }
    }

    private OpenAIKeyRotationPending Claim(string rotationId, string by) => new() { RotationId = rotationId, StartedAt = _harness.Time.GetUtcNow(), ClaimedBy = by };

    private OpenAIKeyRotationPending Staged(string rotationId, string key, OpenAIKeyRecord record) => new()
    {
        RotationId = rotationId,
        StartedAt = _harness.Time.GetUtcNow(),
        ClaimedBy = "rotator-a",
        Key = new OpenAIKey(key, "test"),
        Record = record,
    };
}
