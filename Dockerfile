# syntax=docker/dockerfile:1
# AutoDL web app (embedded mode by default: SQLite, in-process Hangfire; distributed mode by configuration, README). Not built on the development machines (no Docker
# engine there): keep it correct by reading it against the build and publish steps in README.md.
#
#   CPU image (default):  docker build -t autodl .
#   GPU image:            docker build -t autodl:cuda --build-arg TORCH_DEVICE=cuda .
#                         docker run --gpus all -p 8080:8080 -v autodl-data:/data autodl:cuda
# The CUDA flavour references TorchSharp-cuda-linux, whose packages carry CUDA's own libraries; the host needs only
# the NVIDIA driver and the container toolkit.

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG TORCH_DEVICE=cpu
WORKDIR /src

# Restore first, from the project files alone, so the (large) TorchSharp restore is cached across source edits.
COPY global.json AutoDL.sln Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/AutoDL.Core/AutoDL.Core.csproj src/AutoDL.Core/
COPY src/AutoDL.Learners/AutoDL.Learners.csproj src/AutoDL.Learners/
COPY src/AutoDL.Data/AutoDL.Data.csproj src/AutoDL.Data/
COPY src/AutoDL.Data.PostgreSql/AutoDL.Data.PostgreSql.csproj src/AutoDL.Data.PostgreSql/
COPY src/AutoDL.Jobs/AutoDL.Jobs.csproj src/AutoDL.Jobs/
COPY src/AutoDL.Web/AutoDL.Web.csproj src/AutoDL.Web/
RUN dotnet restore src/AutoDL.Web/AutoDL.Web.csproj -r linux-x64 -p:AutoDLTorchDevice=${TORCH_DEVICE}

COPY appsettings.json ./
COPY wwwroot/ wwwroot/
COPY samples/ samples/
COPY migrations/ migrations/
COPY src/ src/
# -r linux-x64: otherwise every platform's libtorch is copied (about 1.1 GB). The publish step of
# build/TorchSharpNativeFix.targets patches the published libLibTorchSharp.so.
RUN dotnet publish src/AutoDL.Web/AutoDL.Web.csproj -c Release -r linux-x64 --self-contained false --no-restore \
      -p:AutoDLTorchDevice=${TORCH_DEVICE} -o /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
WORKDIR /app
COPY --from=build /app ./
# The app finds appsettings.json and wwwroot/ in its own folder; data (SQLite, uploads, models) goes to the volume.
ENV AutoDL__DataRoot=/data \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# The .NET images define a non-root user (APP_UID); run as it, with the data folder its own.
RUN mkdir -p /data && chown "$APP_UID" /data
USER $APP_UID
VOLUME /data
EXPOSE 8080
# --urls on the command line: it outranks the "Urls" of appsettings.json (an ASPNETCORE_URLS variable would not).
ENTRYPOINT ["dotnet", "AutoDL.Web.dll", "--urls", "http://0.0.0.0:8080"]
