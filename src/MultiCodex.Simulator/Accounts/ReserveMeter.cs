namespace MultiCodex.Simulator;

/// <summary>A reserve meter at an instant: the <c>additional_rate_limits</c> entry named <c>gpt-reserve</c>
/// (<c>metered_feature: base_model_inference</c>) with its own window and <c>allowed</c> flag. Requests for the model
/// <c>gpt-reserve</c> (served as <see cref="NormalModelSlug"/>) spend it, and it still serves them when the ordinary
/// windows are used up (docs/upstream-protocol.md §8).</summary>
/// <param name="NormalModelSlug">The model the reserve is served as (e.g. <c>gpt-5.6-luna</c>).</param>
/// <param name="Window">The reserve's own weekly window.</param>
public sealed record ReserveSnapshot(string NormalModelSlug, UsageWindowSnapshot Window)
{
    /// <summary>The meter's <c>allowed</c> flag.</summary>
    public bool Allowed => !Window.IsExhausted;
}
