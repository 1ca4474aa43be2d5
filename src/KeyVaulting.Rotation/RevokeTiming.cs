namespace KeyVaulting.Rotation;

/// <summary>When a rotation revokes the key it replaced.</summary>
public enum RevokeTiming
{
    /// <summary>
    /// After the grace period, once every instance has had the time to pick up the new key: no request fails. The
    /// scheduled rotation always does this.
    /// </summary>
    AfterGracePeriod,

    /// <summary>
    /// At once, for a leaked key: instances that still send the old key get one 401 each, refresh once and resend
    /// with the new key.
    /// </summary>
    Immediately,
}
