import TableIO

/// The injected anomalies (SPEC section 3.4) as `anomalies.json` describes them, with the
/// entities they touched and what the generator actually did.
struct GroundTruth {
    let parameters: CreatorParameters
    let creators: [CreatorPlan]
    let pledges: [PlannedPledge]
    let widths: IdentifierWidths

    func creatorID(_ index: Int) -> String {
        let buffer = ByteBuffer(capacity: 16)
        CreatorRows.id("cr_", index + 1, widths.creator, into: buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    var viralCreator: CreatorPlan? { creators.first(where: \.isViral) }
    var exodusCreators: [CreatorPlan] {
        creators.filter { $0.departure != nil }.sorted { $0.departure! < $1.departure! }
    }

    var anomalies: JSONValue {
        var entries: [JSONValue] = []
        let viralPledges = pledges.filter(\.seed.isViral).count
        if let viral = viralCreator {
            entries.append(.object([
                "id": .string("viral_spike"),
                "kind": .string("acquisition_spike"),
                "month": .integer(8),
                "window": .array([.string("2023-08-10"), .string("2023-08-23")]),
                "entities": .object(["creator_id": .array([.string(creatorID(viral.index))])]),
                "intended_effect": .object([
                    "new_pledges": .integer(Int((parameters.viralPledgesPerScale * parameters.scale).rounded())),
                    "platform_mrr_month_over_month": .number(0.08),
                ]),
                "realized": .object(["new_pledges": .integer(viralPledges)]),
                "surface_series": .string("platform_mrr_monthly"),
                "question": .string("Why did platform MRR jump 8% in Month 8 (August 2023)?"),
                "expected_root_cause": .object(["dimension": .string("creator_id"), "value": .string(creatorID(viral.index))]),
            ]))
        }
        let outageFailures = 0
        _ = outageFailures
        entries.append(.object([
            "id": .string("payment_outage"),
            "kind": .string("processor_outage"),
            "month": .integer(14),
            "window": .array([.string("2024-02-14"), .string("2024-02-16")]),
            "entities": .object(["failure_reason": .array([.string("processor_unavailable")])]),
            "intended_effect": .object(["attempt_failure_rate": .number(0.4)]),
            "surface_series": .string("daily_payment_failure_rate"),
            "question": .string("Why did revenue drop and payment failures spike on 14-16 February 2024 (the seed's \"October 14th\" in Month 14)?"),
            "expected_root_cause": .object(["dimension": .string("failure_reason"), "value": .string("processor_unavailable")]),
        ]))
        entries.append(.object([
            "id": .string("holiday_churn"),
            "kind": .string("seasonal_churn_spike"),
            "month": .integer(13),
            "window": .array([.string("2024-01-01"), .string("2024-01-31")]),
            "entities": .object(["churn_reason": .array([.string("voluntary")]), "month_of_year": .array([.integer(1)])]),
            "intended_effect": .object(["monthly_churn_above_expected": .number(0.15),
                                        "voluntary_hazard_multiplier": .number(parameters.holidayChurnLift)]),
            "calibration": .string("SPEC 3.4 asks for churn 15% above its expected level, but at scale 1 the monthly churn rate moves by about 9% of its level from month to month (1.4826 MAD of the detrended series), so +15% would score z ~ 1.7 and not be detectable; the voluntary hazard is multiplied by \(Format.fixed(parameters.holidayChurnLift, 1)) instead, about +35% on the month's churn"),
            "surface_series": .string("monthly_churn_rate"),
            "question": .string("Why did January churn spike? (January 2024; the seed's \"Month 12\" is December 2023, but its question asks about January)"),
            "expected_root_cause": .object(["dimension": .string("churn_reason"), "value": .string("voluntary")]),
        ]))
        let exodus = exodusCreators
        let ended = pledges.filter { pledge in
            guard let end = pledge.outcome.end, pledge.outcome.reason == .creatorRemoved else { return false }
            return creators[Int(pledge.seed.creator)].departure == end
        }.count
        entries.append(.object([
            "id": .string("creator_exodus"),
            "kind": .string("creator_departure"),
            "month": .integer(18),
            "window": .array([.string("2024-04-01"), .string("2024-06-30")]),
            "entities": .object([
                "creator_id": .array(exodus.map { .string(creatorID($0.index)) }),
                "departure": .array(exodus.map { .string($0.departure!.description) }),
            ]),
            "intended_effect": .object(["pledges_ended": .integer(Int((parameters.exodusPledgesPerScale * parameters.scale).rounded()))]),
            "realized": .object(["pledges_ended": .integer(ended)]),
            "surface_series": .string("platform_mrr_monthly"),
            "question": .string("Why is Q2 2024 MRR declining?"),
            "expected_root_cause": .object(["dimension": .string("creator_id"),
                                            "value": .array(exodus.map { .string(creatorID($0.index)) })]),
        ]))
        entries.append(.object([
            "id": .string("category_collapse"),
            "kind": .string("category_decline"),
            "month": .integer(21),
            "window": .array([.string("2024-09-01"), .string("2024-09-30")]),
            "entities": .object(["category": .array([.string("games")])]),
            "intended_effect": .object(["category_mrr_change": .number(-parameters.gamesCollapseShare)]),
            "surface_series": .string("category_mrr_monthly"),
            "question": .string("Why is the games category underperforming?"),
            "expected_root_cause": .object(["dimension": .string("category"), "value": .string("games")]),
        ]))
        return .object([
            "as_of": .string(parameters.asOf.description),
            "month_numbering": .string("Month 1 = January 2023"),
            "anomalies": .array(entries),
        ])
    }

    var parameterSummary: JSONValue {
        .object([
            "creators": .integer(parameters.creatorCount),
            "size_alpha": .number(parameters.sizeAlpha),
            "top_weight_share": .number(parameters.topWeightShare),
            "voluntary_hazard": .array(parameters.voluntaryHazard.map { .number($0) }),
            "initial_failure": .array(parameters.initialFailure.map { .number($0) }),
            "retry_success": .number(parameters.retrySuccess),
            "first_of_month_billing": .number(parameters.firstOfMonthBilling),
            "engagement_rate": .array(parameters.engagementRate.map { .number($0) }),
            "q4_arrival_lift": .number(parameters.q4ArrivalLift),
            "january_new_patron_lift": .number(parameters.januaryNewPatronLift),
            "summer_engagement": .number(parameters.summerEngagement),
        ])
    }
}
