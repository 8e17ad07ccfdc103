"""Turn the command line's endpoint flags into a base URL, a key and a complete plan."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field

import msgspec

from workbench.core.endpoints import EndpointProfile, preset
from workbench.core.plan import LOCAL_SIM, EndpointSpec, Plan, PlanError, validate


class EndpointResolveError(Exception):
    def __init__(self, flag: str, message: str) -> None:
        super().__init__(message)
        self.flag = flag


@dataclass
class EndpointChoice:
    plan: Plan
    api_key: str | None = field(default=None, repr=False)
    fixed_base_url: str | None = None
    # The endpoint profile, when one was named (for prices).
    profile: EndpointProfile | None = None

    async def base_url(self) -> str:
        """The API base as the SDKs take it; starts the local simulator when needed."""
        if self.fixed_base_url is not None:
            return self.fixed_base_url
        from workbench.core.endpoints import simulator_api_base
        from workbench.sim.process import LocalSimulator

        root = await LocalSimulator.shared().abase_url()
        return simulator_api_base(root, self.plan.endpoint.api)

    def close(self) -> None:
        """The local simulator is stopped at exit by LocalSimulator itself."""


def _with_endpoint(plan: Plan, spec: EndpointSpec) -> Plan:
    try:
        return validate(msgspec.structs.replace(plan, endpoint=spec))
    except PlanError as exc:
        raise EndpointResolveError("--base-url", str(exc)) from None


def resolve_endpoint(plan: Plan, args: argparse.Namespace) -> EndpointChoice:
    if args.base_url:
        if args.endpoint:
            raise EndpointResolveError("--base-url", "give --endpoint or --base-url, not both")
        key = None
        if args.api_key_env:
            key = os.environ.get(args.api_key_env)
            if not key:
                raise EndpointResolveError(
                    "--api-key-env", f"environment variable {args.api_key_env} is not set"
                )
        # The plan's default model is the simulator's; a real server needs a named one.
        default_model = EndpointSpec().model
        model = args.model or (
            plan.endpoint.model if plan.endpoint.model != default_model else None
        )
        if not model:
            raise EndpointResolveError("--model", "required with --base-url")
        spec = EndpointSpec(
            name="custom", api=args.api or "openai", base_url=args.base_url, model=model
        )
        return EndpointChoice(_with_endpoint(plan, spec), key, args.base_url.rstrip("/"))
    name = args.endpoint or plan.endpoint.name
    if name == LOCAL_SIM:
        api = args.api or plan.endpoint.api
        spec = msgspec.structs.replace(plan.endpoint, name=LOCAL_SIM, api=api, base_url=None)
        return EndpointChoice(_with_endpoint(plan, spec), profile=preset(LOCAL_SIM))
    return _resolve_profile(plan, name, args)


def _resolve_profile(plan: Plan, name: str, args: argparse.Namespace) -> EndpointChoice:
    from workbench.core.endpoints import (
        EndpointsFileError,
        ProfileError,
        ProfileStore,
        UnknownProfile,
        to_endpoint_spec,
    )
    from workbench.core.secrets import KeyStore

    flag = "--endpoint" if args.endpoint else "endpoint.name"
    try:
        profile = ProfileStore().get(name)
    except (UnknownProfile, EndpointsFileError) as exc:
        raise EndpointResolveError(flag, str(exc)) from None
    # A model named in the plan for this same endpoint counts; the simulator's default doesn't.
    planned = plan.endpoint.model if plan.endpoint.name == name else None
    try:
        spec = to_endpoint_spec(profile, args.model or planned)
    except ProfileError as exc:
        raise EndpointResolveError("--model", str(exc)) from None
    lookup = KeyStore(allow_env=True).get(profile)
    if profile.needs_key and not lookup.found:
        env = f" or export {profile.key_env}" if profile.key_env else ""
        raise EndpointResolveError(
            flag, f"no API key for {name!r}: set one with `workbench keys set {name}`{env}"
        )
    choice = EndpointChoice(
        _with_endpoint(plan, spec),
        lookup.key,
        profile.base_url.rstrip("/") if profile.base_url else None,
    )
    choice.profile = profile
    return choice
