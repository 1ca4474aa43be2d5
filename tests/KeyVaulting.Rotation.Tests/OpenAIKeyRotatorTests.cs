using KeyVaulting.Rotation.Tests.EndToEnd;
using KeyVaulting.Rotation.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.Rotation.Tests;

public sealed class OpenAIKeyRotatorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromDays(30);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(TargetKind.Memory)]
    [InlineData(TargetKind.DotEnv)]
    public async Task RunAsync_KeyYoungerThanInterval_DoesNothing(TargetKind kind)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        var rotator = world.CreateRotator();
        world.Time.Advance(Interval - TimeSpan.FromMinutes(1));

        var result = await rotator.RunAsync();

        result.Outcome.Should().Be(OpenAIKeyRotationOutcome.NotDue);
        result.NextRunAt.Should().Be(world.InitialKey.CreatedAt + Interval, "the due time comes from the current key's creation time in the store");
        world.Admin.MintCount.Should().Be(0);
        (await world.CurrentValueAsync()).Should().Be(world.InitialKey.Value);
    }

    [Theory]
    [InlineData(TargetKind.Memory)]
    [InlineData(TargetKind.DotEnv)]
    public async Task RunAsync_KeyOlderThanInterval_PromotesNewKeyAndRevokesOldOneOnlyAfterGracePeriod(TargetKind kind)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        var rotator = world.CreateRotator();
        world.Time.Advance(Interval);

        var promoted = await rotator.RunAsync();

        promoted.Outcome.Should().Be(OpenAIKeyRotationOutcome.Promoted);
        var minted = world.Admin.Keys.Should().ContainSingle(k => k.Minted).Subject;
        (await world.CurrentValueAsync()).Should().Be(minted.Value, "the new key is current in the store");
        promoted.CurrentKeyFingerprint.Should().Be(new OpenAIKey(minted.Value, "x").Fingerprint);
        minted.Name.Should().StartWith("keyvaulting-test-20261231T120000Z-", "a person recognises the rotator's keys by name");
        minted.ExpiresAt.Should().Be(world.Time.GetUtcNow() + Interval + (2 * Grace), "the lifetime is the safety net: interval plus twice the grace period");
        minted.ServiceAccountId.Should().Be(RotationWorld.ServiceAccountId);
        world.InitialKey.IsRevoked.Should().BeFalse("the old key stays valid during the grace period");
        promoted.NextRunAt.Should().Be(world.Time.GetUtcNow() + Grace);

        world.Time.Advance(Grace - TimeSpan.FromSeconds(1));
        (await rotator.RunAsync()).Outcome.Should().Be(OpenAIKeyRotationOutcome.WaitingForGracePeriod);
        world.InitialKey.IsRevoked.Should().BeFalse();

        world.Time.Advance(TimeSpan.FromSeconds(1));
        (await rotator.RunAsync()).Outcome.Should().Be(OpenAIKeyRotationOutcome.Completed);
        world.InitialKey.IsRevoked.Should().BeTrue();
        await world.ShouldHaveConvergedAsync();
        world.Admin.MintCount.Should().Be(1);
    }

    [Theory]
    [InlineData(TargetKind.Memory)]
    [InlineData(TargetKind.DotEnv)]
    public async Task RotateNowAsync_Immediately_RevokesTheOldKeyAtOnce(TargetKind kind)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        var rotator = world.CreateRotator();

        var result = await rotator.RotateNowAsync(RevokeTiming.Immediately);

        result.Outcome.Should().Be(OpenAIKeyRotationOutcome.Completed);
        world.InitialKey.IsRevoked.Should().BeTrue("a leaked key is revoked in the same call");
        (await world.CurrentValueAsync()).Should().Be(world.Admin.Keys.Single(k => k.Minted).Value);
        await world.ShouldHaveConvergedAsync();
    }

    [Fact]
    public async Task RotateNowAsync_AfterGracePeriodWhileOldKeyInGrace_ThrowsNamingImmediately()
    {
        await using var world = await RotationWorld.StartAsync();
        var rotator = world.CreateRotator();
        await rotator.RotateNowAsync();

        var act = () => rotator.RotateNowAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("RevokeTiming.Immediately");
        world.Admin.MintCount.Should().Be(1);
    }

    [Fact]
    public async Task RotateNowAsync_OpenAIRejectsNewKey_RollsBackRevokesItAndLeavesCurrentKey()
    {
        await using var world = await RotationWorld.StartAsync();
        await using var otherApi = await LocalOpenAIServer.StartAsync(); // knows no key: the new key is rejected there
        var rotator = world.CreateRotator(o => o.Endpoint = otherApi.Endpoint);

        var act = () => rotator.RotateNowAsync();

        var failure = (await act.Should().ThrowAsync<OpenAIKeyRotationException>()).Which;
        failure.Step.Should().Be("test");
        failure.StatusCode.Should().Be(401);
        failure.ErrorCode.Should().Be("invalid_api_key");
        failure.Message.Should().Contain("rolled back");
        failure.ShouldNotContainSecrets(world.Secrets());
        (await world.CurrentValueAsync()).Should().Be(world.InitialKey.Value, "the current key is untouched");
        var state = await world.StateAsync();
        state.Pending.Should().BeNull("the staged key was removed");
        world.Admin.Keys.Single(k => k.Minted).IsRevoked.Should().BeTrue("the rejected key was revoked");
        world.Admin.LiveKeys.Should().ContainSingle().Which.Value.Should().Be(world.InitialKey.Value);
        world.ShouldNotHaveLeaked();
    }

    [Theory]
    [InlineData(TargetKind.Memory, 2)]
    [InlineData(TargetKind.Memory, 8)]
    [InlineData(TargetKind.DotEnv, 2)]
    [InlineData(TargetKind.DotEnv, 8)]
    public async Task RunAsync_RotatorsRacing_ExactlyOneKeyMintedAndPromoted(TargetKind kind, int rotators)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        await RotationScenarios.RotatorsRacingAsync(world, rotators);
    }

    public static TheoryData<TargetKind, string> CrashPoints
    {
        get
        {
            var data = new TheoryData<TargetKind, string>();
            foreach (var kind in new[] { TargetKind.Memory, TargetKind.DotEnv })
            {
                foreach (var crash in RotationScenarios.CrashPoints)
                {
                    data.Add(kind, crash);
                }
            }

            data.Add(TargetKind.Memory, "after stage (the key is staged, the process dies)");
            data.Add(TargetKind.Memory, "after test (the promotion fails)");
            data.Add(TargetKind.Memory, "after revoke (the store's completion fails)");
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task RunAsync_CrashAtAnyStepThenNewRotator_ConvergesToOneLiveKeyAndNoOrphan(TargetKind kind, string crash)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        await RotationScenarios.CrashThenNewRotatorAsync(world, crash);
    }

    [Fact]
    public async Task RunAsync_ClaimedByAnotherRotatorRecently_StandsDownWithoutMinting()
    {
        await using var world = await RotationWorld.StartAsync();
        world.Admin.FailNext(AdminOperation.CreateServiceAccountKey, AdminFailure.AbortBefore);
        world.Time.Advance(Interval);
        await RunIgnoringFailureAsync(world.CreateRotator());

        var result = await world.CreateRotator().RunAsync();

        result.Outcome.Should().Be(OpenAIKeyRotationOutcome.StoodDown);
        result.NextRunAt.Should().Be(world.Time.GetUtcNow() + TimeSpan.FromMinutes(5));
        world.Admin.MintCount.Should().Be(0);
    }

    [Fact]
    public async Task RunAsync_KeyStagedByAnotherRotatorInAStoreThatKeepsNoValue_StandsDownUntilItsClaimExpires()
    {
        await using var world = await RotationWorld.StartAsync(TargetKind.DotEnv);
        await using var unreachable = await LocalServer.StartAsync(context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        world.Time.Advance(Interval);
        await RunIgnoringFailureAsync(world.CreateRotator(o => o.Endpoint = new Uri(unreachable.Address, "v1/")));
        var staged = world.Admin.Keys.Single(k => k.Minted);
        var other = world.CreateRotator();

        (await other.RunAsync()).Outcome.Should().Be(OpenAIKeyRotationOutcome.StoodDown, "the first rotator is still testing its key");
        staged.IsRevoked.Should().BeFalse("another rotator's staged key is not abandoned while its claim holds");

        world.Time.Advance(TimeSpan.FromMinutes(5));
        (await other.RunAsync()).Outcome.Should().Be(OpenAIKeyRotationOutcome.Promoted);
        staged.IsRevoked.Should().BeTrue("once the claim expired, the key whose value is lost is revoked and another minted");
        world.Time.Advance(Grace);
        await other.RunAsync();
        await world.ShouldHaveConvergedAsync();
    }

    [Fact]
    public async Task RunAsync_OrphanOlderThanLifetime_IsRevokedAndAYoungOneIsKept()
    {
        await using var world = await RotationWorld.StartAsync();
        var now = world.Time.GetUtcNow();
        var lifetime = Interval + (2 * Grace);
        var old = world.Admin.AddExistingKey(TestKeys.Numbered(90), RotationWorld.ServiceAccountId, "keyvaulting-test-20261001T000000Z-0badc0de", now - lifetime - TimeSpan.FromSeconds(1));
        var foreign = world.Admin.AddExistingKey(TestKeys.Numbered(91), RotationWorld.ServiceAccountId, "someone-elses-key", now - TimeSpan.FromDays(90));
        var young = world.Admin.AddExistingKey(TestKeys.Numbered(92), RotationWorld.ServiceAccountId, "keyvaulting-test-20261130T000000Z-0badc0df", now - TimeSpan.FromDays(1));

        (await world.CreateRotator().RunAsync()).Outcome.Should().Be(OpenAIKeyRotationOutcome.NotDue);

        old.IsRevoked.Should().BeTrue("a key the rotator minted, unknown to the store and older than its lifetime, is an orphan");
        young.IsRevoked.Should().BeFalse("it may belong to a rotation in progress elsewhere");
        foreign.IsRevoked.Should().BeFalse("keys the rotator did not mint are never touched");
        world.InitialKey.IsRevoked.Should().BeFalse();
    }

    [Fact]
    public async Task RotateNowAsync_ApiRefusesToDeleteServiceAccountKeys_RotatesIntoNewServiceAccountAndDeletesOldOne()
    {
        await using var world = await RotationWorld.StartAsync();
        world.Admin.RefuseServiceAccountKeyDeletion = true;
        var rotator = world.CreateRotator();

        var result = await rotator.RotateNowAsync(RevokeTiming.Immediately);

        result.Outcome.Should().Be(OpenAIKeyRotationOutcome.Completed);
        world.Admin.ServiceAccounts.Should().NotContainKey(RotationWorld.ServiceAccountId, "the old account went, and with it every key it owned");
        var current = await world.CurrentValueAsync();
        var live = world.Admin.LiveKeys.Should().ContainSingle().Subject;
        live.Value.Should().Be(current);
        world.Admin.ServiceAccounts[live.ServiceAccountId].Should().StartWith("keyvaulting-test-");
        (await world.StateAsync()).Current!.ServiceAccountCreatedForKey.Should().BeTrue();

        // The next rotation goes on by service account: the new account replaces the previous one.
        world.Time.Advance(TimeSpan.FromMinutes(1));
        await rotator.RotateNowAsync(RevokeTiming.Immediately);
        await world.ShouldHaveConvergedAsync();
        world.Admin.ServiceAccounts.Should().ContainSingle();
    }

    [Fact]
    public async Task RotateNowAsync_ApiRefusesToDeleteServiceAccountKeysWithServiceAccountKeysStrategy_FailsNamingTheStrategy()
    {
        await using var world = await RotationWorld.StartAsync();
        world.Admin.RefuseServiceAccountKeyDeletion = true;
        var rotator = world.CreateRotator(o => o.Strategy = OpenAIKeyRotationStrategy.ServiceAccountKeys);

        var act = () => rotator.RotateNowAsync(RevokeTiming.Immediately);

        var failure = (await act.Should().ThrowAsync<OpenAIKeyRotationException>()).Which;
        failure.Step.Should().Be("revoke");
        failure.Message.Should().Contain("Strategy");
        (await world.CurrentValueAsync()).Should().NotBe(world.InitialKey.Value, "the new key was promoted before the revocation failed");
    }

    [Fact]
    public async Task RotateNowAsync_ServiceAccountsStrategy_CreatesAnAccountPerRotationAndDeletesTheOldOne()
    {
        await using var world = await RotationWorld.StartAsync();
        var rotator = world.CreateRotator(o => o.Strategy = OpenAIKeyRotationStrategy.ServiceAccounts);

        await rotator.RotateNowAsync(RevokeTiming.Immediately);
        world.Time.Advance(TimeSpan.FromMinutes(1));
        await rotator.RotateNowAsync(RevokeTiming.Immediately);

        world.Admin.Calls.Count(c => c.Operation == AdminOperation.CreateServiceAccount).Should().Be(2);
        world.Admin.Calls.Count(c => c.Operation == AdminOperation.DeleteServiceAccount).Should().Be(1);
        await world.ShouldHaveConvergedAsync();
    }

    [Fact]
    public async Task RotateNowAsync_ApiDoesNotKnowKeyExpiry_MintsWithoutItAndWarns()
    {
        await using var world = await RotationWorld.StartAsync();
        world.Admin.RejectExpiry = true;
        var rotator = world.CreateRotator();

        await rotator.RotateNowAsync(RevokeTiming.Immediately);

        world.Admin.Keys.Single(k => k.Minted).ExpiresAt.Should().BeNull();
        world.Logs[0].GetSnapshot().Should().Contain(r => r.Id.Id == 519);
        await world.ShouldHaveConvergedAsync();
    }

    [Fact]
    public async Task RunAsync_AdminProviderHoldsAProjectKey_RefusesWithoutShowingIt()
    {
        await using var world = await RotationWorld.StartAsync();
        var projectKey = TestKeys.Project('P');
        var rotator = world.CreateRotator(adminKey: projectKey);
        world.Time.Advance(Interval);

        var act = () => rotator.RunAsync();

        var failure = (await act.Should().ThrowAsync<OpenAIKeyRotationException>()).Which;
        failure.Message.Should().Contain("not an OpenAI admin key").And.Contain("sk-proj-…PPPP");
        failure.ShouldNotContainSecrets(projectKey, RotationWorld.AdminKey);
        world.Logs[0].ShouldNotContainSecrets(projectKey);
        world.Admin.Calls.Should().BeEmpty("a project key is never sent to the Admin API");
    }

    [Fact]
    public async Task RunAsync_AdminKeyRejected_FailsWithStatusTypeAndCodeOnly()
    {
        await using var world = await RotationWorld.StartAsync();
        var wrongAdminKey = "sk-admin-" + new string('W', 40);
        var rotator = world.CreateRotator(adminKey: wrongAdminKey);
        world.Time.Advance(Interval);

        var act = () => rotator.RunAsync();

        var failure = (await act.Should().ThrowAsync<OpenAIKeyRotationException>()).Which;
        failure.StatusCode.Should().Be(401);
        failure.ErrorType.Should().Be("invalid_request_error");
        failure.ErrorCode.Should().Be("invalid_api_key");
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("openai-admin").And.NotContain("Incorrect API key", "an answer's body is never repeated");
        failure.ShouldNotContainSecrets(wrongAdminKey, wrongAdminKey[^16..]);
        world.Logs[0].ShouldNotContainSecrets(wrongAdminKey);
    }

    [Fact]
    public async Task RunSecretsManagerStepAsync_FourStepsInOrder_PromoteOnceAndRepeatAreIdempotent()
    {
        await using var world = await RotationWorld.StartAsync();
        var rotator = world.CreateRotator();
        var token = Guid.NewGuid().ToString();

        (await rotator.RunSecretsManagerStepAsync("createSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Staged);
        (await rotator.RunSecretsManagerStepAsync("createSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Staged, "Secrets Manager may retry a step");
        (await rotator.RunSecretsManagerStepAsync("setSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Staged);
        (await rotator.RunSecretsManagerStepAsync("testSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Tested);
        (await world.CurrentValueAsync()).Should().Be(world.InitialKey.Value, "nothing is current before finishSecret");
        (await rotator.RunSecretsManagerStepAsync("finishSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Promoted);
        (await rotator.RunSecretsManagerStepAsync("finishSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.NotDue);

        world.Admin.MintCount.Should().Be(1);
        var minted = world.Admin.Keys.Single(k => k.Minted);
        (await world.CurrentValueAsync()).Should().Be(minted.Value);
        minted.Name.Should().EndWith("-" + token.Replace("-", string.Empty, StringComparison.Ordinal)[..8]);

        // The next scheduled rotation's createSecret revokes the key this one replaced.
        world.Time.Advance(Interval);
        await rotator.RunSecretsManagerStepAsync("createSecret", Guid.NewGuid().ToString());
        world.InitialKey.IsRevoked.Should().BeTrue();
    }

    [Fact]
    public async Task RunSecretsManagerStepAsync_UnknownStep_ThrowsArgumentException()
    {
        await using var world = await RotationWorld.StartAsync();
        var act = () => world.CreateRotator().RunSecretsManagerStepAsync("rotateSecret", Guid.NewGuid().ToString());
        await act.Should().ThrowAsync<ArgumentException>();
    }

    private static async Task RunIgnoringFailureAsync(IOpenAIKeyRotator rotator)
    {
        try
        {
            await rotator.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is OpenAIKeyRotationException or OpenAIKeySourceException)
        {
            // The injected crash.
        }
    }
}
