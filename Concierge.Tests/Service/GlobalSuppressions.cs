using System.Diagnostics.CodeAnalysis;

[assembly: SuppressMessage("Performance", "CA1861:Avoid constant arrays as arguments",
    Scope = "namespaceanddescendants", Target = "~N:Concierge.Tests.Service",
    Justification = "Expected sequences read best inline in the assertion; tests are not a hot path.")]
