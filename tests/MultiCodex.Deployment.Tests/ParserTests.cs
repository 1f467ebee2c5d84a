using MultiCodex.Deployment.Tests.Support;

namespace MultiCodex.Deployment.Tests;

/// <summary>The readers the other tests rely on, on small inputs with the awkward cases.</summary>
public sealed class ParserTests
{
    [Fact]
    public void Dockerfile_reader_joins_continuations_drops_comments_and_splits_stages()
    {
        var file = Dockerfile.Parse("""
            # syntax=docker/dockerfile:1
            ARG BASE=1
            FROM --platform=$BUILDPLATFORM example.com:5000/team/sdk:1.2.3 AS build
            workdir /src
            RUN echo one \
                # a comment inside the continuation
                && echo two

            COPY --chown=1:1 a.csproj "b c/" ./out/
            FROM runtime:4.5.6-slim
            ENV A=1 B="two words" \
                C=
            ENV LEGACY value with spaces
            COPY --from=build /src/out .
            USER 1654:1654
            HEALTHCHECK --interval=5s --retries=2 CMD ["app", "healthcheck"]
            ENTRYPOINT ["app", "--flag"]
            """);

        Assert.Equal(2, file.Stages.Count);
        var build = file.Stages[0];
        Assert.Equal(new ImageReference("example.com:5000/team/sdk", "1.2.3", null), build.Image);
        Assert.Equal("build", build.Name);
        var run = Assert.Single(build.All("RUN"));
        Assert.Equal("echo one     && echo two", run.Arguments);
        Assert.Equal(5, run.Line);
        Assert.Equal("/src", build.WorkdirAt(run));
        var copy = Assert.Single(build.Copies);
        Assert.Equal(["a.csproj", "b c/"], copy.Sources);
        Assert.Equal("./out/", copy.Destination);
        Assert.Equal("1:1", copy.Chown);

        var final = file.Final;
        Assert.Null(final.Name);
        Assert.Equal("4.5.6-slim", final.Image.Tag);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "two words", ["C"] = "", ["LEGACY"] = "value with spaces" }, final.Environment);
        Assert.Equal("build", Assert.Single(final.Copies).From);
        var health = HealthcheckSpec.Parse(Assert.Single(final.All("HEALTHCHECK")));
        Assert.Equal(["app", "healthcheck"], health.ExecForm);
        Assert.Equal("5s", health.Options["interval"]);
        Assert.Equal(["app", "--flag"], Assert.Single(final.All("ENTRYPOINT")).ExecForm);
        Assert.Null(Assert.Single(final.All("USER")).ExecForm);
    }

    [Theory]
    [InlineData("node", "node", null, null)]
    [InlineData("node:20.20.2-bookworm-slim", "node", "20.20.2-bookworm-slim", null)]
    [InlineData("localhost:5000/app", "localhost:5000/app", null, null)]
    [InlineData("mcr.microsoft.com/dotnet/aspnet:10.0.12@sha256:abc", "mcr.microsoft.com/dotnet/aspnet", "10.0.12", "sha256:abc")]
    public void Image_references_split_into_repository_tag_and_digest(string text, string repository, string? tag, string? digest)
    {
        Assert.Equal(new ImageReference(repository, tag, digest), ImageReference.Parse(text));
    }

    [Fact]
    public void Dockerfile_reader_rejects_what_docker_would()
    {
        Assert.Throws<FormatException>(() => Dockerfile.Parse("RUN echo before any FROM"));
        Assert.Throws<FormatException>(() => Dockerfile.Parse("FROM a:1.0.0\nENV A=\"unterminated\nCOPY x y").Final.Environment);
        Assert.Throws<FormatException>(() => Dockerfile.Parse("FROM a:1.0.0 AS"));
        Assert.Throws<FormatException>(() => Dockerfile.Parse("FROM a:1.0.0\n-RUN x"));
    }

    [Theory]
    [InlineData("data", true)]
    [InlineData("data/accounts.json", true)]
    [InlineData(".git/HEAD", true)]
    [InlineData("dashboard/node_modules/next/package.json", true)]
    [InlineData("dashboard/.next/standalone/server.js", true)]
    [InlineData("src/MultiCodex.Control/bin/Debug/x.dll", true)]
    [InlineData("src/MultiCodex.Control/obj/project.assets.json", true)]
    [InlineData("keep/bin/kept.txt", false)]
    [InlineData("src/MultiCodex.Control/Program.cs", false)]
    [InlineData("dashboard/package.json", false)]
    [InlineData("notes.md", true)]
    [InlineData("README.md", false)]
    public void Dockerignore_matching_follows_docker(string path, bool excluded)
    {
        var ignore = new DockerIgnore("""
            # comment
            data
            .git
            **/node_modules
            **/.next
            src/**/bin
            **/obj
            *.md
            !README.md
            keep/bin/kept.txt
            !keep/bin/kept.txt
            """);
        Assert.Equal(excluded, ignore.IsExcluded(path));
    }

    [Theory]
    [InlineData("${PORT:-4010}", "", "4010")]
    [InlineData("${PORT:-4010}", "5010", "5010")]
    [InlineData("${PORT-4010}", "", "")]
    [InlineData("$PORT/x", "7", "7/x")]
    [InlineData("$${PORT}", "7", "${PORT}")]
    [InlineData("${A:-}", null, "")]
    public void Interpolation_follows_compose(string value, string? port, string expected)
    {
        var env = new Dictionary<string, string>();
        if (port is not null)
        {
            env["PORT"] = port;
        }
        Assert.Equal(expected, Interpolation.Evaluate(value, env));
    }

    [Fact]
    public void A_whole_reference_is_told_from_a_partial_one()
    {
        Assert.True(Interpolation.IsWholeReferenceTo("${OAUTH_SCOPE:-openid profile}", "OAUTH_SCOPE", out var fallback));
        Assert.Equal("openid profile", fallback);
        Assert.False(Interpolation.IsWholeReferenceTo("x${OAUTH_SCOPE:-a}", "OAUTH_SCOPE", out _));
        Assert.False(Interpolation.IsWholeReferenceTo("${OTHER:-a}", "OAUTH_SCOPE", out _));
        Assert.Throws<InvalidOperationException>(() => Interpolation.Evaluate("${NEEDED:?set it}", new Dictionary<string, string>()));
    }

    [Fact]
    public void Compose_reader_takes_both_syntaxes()
    {
        var compose = ComposeFile.Parse("""
            services:
              a:
                environment:
                  - X=1
                  - Y
                ports:
                  - "127.0.0.1:${P:-1}:2/tcp"
                  - target: 3
                    published: "4"
                volumes:
                  - ./d:/d:ro
                depends_on: [b]
              b:
                environment: { Z: "${Z:-z}" }
                depends_on:
                  a:
                    condition: service_healthy
            """);
        var a = compose.Services["a"];
        Assert.Equal(new Dictionary<string, string?> { ["X"] = "1", ["Y"] = null }, a.Environment);
        Assert.Equal(new PortMapping("127.0.0.1", "${P:-1}", "2", "127.0.0.1:${P:-1}:2/tcp"), a.Ports[0]);
        Assert.Equal(("4", "3"), (a.Ports[1].Published, a.Ports[1].Target));
        Assert.Equal(new VolumeMount("./d", "/d", "./d:/d:ro"), Assert.Single(a.Volumes));
        Assert.Equal("service_started", a.DependsOn["b"]);
        Assert.Equal("service_healthy", compose.Services["b"].DependsOn["a"]);
        Assert.Equal("${Z:-z}", compose.Services["b"].Environment["Z"]);
    }

    [Fact]
    public void Lib_sh_reader_finds_how_the_apps_start()
    {
        Assert.NotEmpty(LocalRun.DotnetApps);
        Assert.All(LocalRun.DotnetApps, app => Assert.Equal(app.Project + ".dll", app.Dll));
        Assert.Equal("server.js", LocalRun.Dashboard.Script);
        Assert.Contains("PORT", LocalRun.RunDefaults.Keys);
    }
}
