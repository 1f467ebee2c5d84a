using MultiCodex.Deployment.Tests.Support;

namespace MultiCodex.Deployment.Tests;

/// <summary>The build context leaves out secrets and local build output.</summary>
public sealed class DockerignoreTests
{
    [Theory]
    [InlineData("data/accounts.json")] // live tokens
    [InlineData("data/oauth-state.json")]
    [InlineData(".git/config")]
    [InlineData("artifacts/bin/MultiCodex.Control/release/MultiCodex.Control.dll")]
    [InlineData("src/MultiCodex.Edge/bin/Release/net10.0/MultiCodex.Edge.dll")]
    [InlineData("src/MultiCodex.Edge/obj/project.assets.json")]
    [InlineData("dashboard/node_modules/next/package.json")]
    [InlineData("dashboard/.next/standalone/server.js")]
    [InlineData("dashboard/.env.local")]
    [InlineData(".test-results/dotnet/x.trx")]
    public void Leaves_out(string path)
    {
        Assert.True(Repo.DockerIgnore.IsExcluded(path), $".dockerignore sends {path} to the build");
    }

    [Theory]
    [InlineData("protos/multicodex/control/v1/accounts.proto")]
    [InlineData("src/MultiCodex.Contracts/MultiCodex.Contracts.csproj")]
    [InlineData("src/MultiCodex.Pool/MultiCodex.Pool.csproj")]
    [InlineData("dashboard/package-lock.json")]
    [InlineData("dashboard/app/layout.tsx")]
    [InlineData("dashboard/lib/gen/multicodex/control/v1/account_pb.ts")]
    [InlineData("dashboard/public/robots.txt")]
    [InlineData("dashboard/scripts/copy-standalone-assets.mjs")]
    [InlineData("Directory.Packages.props")]
    public void Keeps_what_the_builds_read(string path)
    {
        Assert.False(Repo.DockerIgnore.IsExcluded(path), $".dockerignore leaves {path} out of the build");
    }
}
