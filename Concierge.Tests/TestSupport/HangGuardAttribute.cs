using NUnit.Framework;

namespace Concierge.Tests.TestSupport;

/// <summary>
/// Fails a test that runs longer than <paramref name="minutes"/> instead of hanging the whole run,
/// for tests that drive real VMs (a guest or monitor bug must cost one red test, not the CI job).
/// NUnit marks its Timeout obsolete because .NET cannot abort the stuck thread; it still runs the
/// test on its own thread, reports it failed when the time is up and goes on, which is what we want.
/// Tests keep their own, shorter timeouts with clear messages; this is the backstop.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
#pragma warning disable CS0618 // See above: only the non-aborting part is relied on.
public sealed class HangGuardAttribute(int minutes) : TimeoutAttribute(minutes * 60_000);
#pragma warning restore CS0618
