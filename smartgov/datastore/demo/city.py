"""Records about organisations and places: legal entities and market supervision, education,
city management, environment, housing, spatial data, the economy."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from smartgov.datastore.demo.world import RecordsBase, iso, years_later


class CityRecords(RecordsBase):
    """Generators of the resources whose subject is an organisation, a facility or a place."""

    def legal_entities(self) -> list[dict]:
        return [
            {
                "credit_code": o.credit_code,
                "org_name": o.name,
                "entity_type": o.entity_type,
                "legal_representative": o.legal_representative,
                "registered_capital": o.capital,
                "established_on": iso(o.established_on),
                "address": o.address,
                "region_code": o.place.district_code,
            }
            for o in self.organisations
        ]

    def business_licences(self) -> list[dict]:
        rows = []
        for n, o in enumerate(self.organisations, start=1):
            rows.append(
                {
                    "license_no": f"{o.credit_code}-{o.established_on.year}{n:05d}",
                    "credit_code": o.credit_code,
                    # One licence in 60 still carries a name from before a change of name.
                    "org_name": o.name.replace("杭州", "杭州市", 1) if n % 60 == 0 else o.name,
                    "issued_on": iso(o.established_on),
                    "authority": f"杭州市{o.place.district}市场监督管理局",
                }
            )
        return rows

    def abnormal_operations(self) -> list[dict]:
        reasons = ["未按规定报送年度报告"] * 5 + ["通过登记的住所无法联系", "未按规定公示即时信息"]
        rows = []
        for n, o in enumerate(self._sample(self.organisations, 36), start=1):
            listed = self._recent(1000)
            removed = listed + timedelta(days=self.rng.randint(30, 300))
            rows.append(
                {
                    "credit_code": o.credit_code,
                    "org_name": o.name,
                    "decision_no": f"杭市监异〔{listed.year}〕{n:04d}号",
                    "reason": self.rng.choice(reasons),
                    "listed_on": iso(listed),
                    "removed_on": iso(removed) if removed < self.today and n % 3 else "",
                }
            )
        return rows

    def food_permits(self) -> list[dict]:
        caterers = [o for o in self.organisations if o.trade in ("餐饮服务", "食品销售")]
        rows = []
        for n, o in enumerate(caterers, start=1):
            rows.append(
                {
                    "permit_no": f"JY{1 if o.trade == '食品销售' else 2}{o.place.district_code}"
                    f"{n:07d}",
                    "credit_code": o.credit_code,
                    "operator_name": o.name,
                    "premises": o.address,
                    "scope": "热食类食品制售；冷食类食品制售"
                    if o.trade == "餐饮服务"
                    else "预包装食品销售（含冷藏冷冻食品）",
                    "valid_until": iso(self.w.day_between(self.today, years_later(self.today, 5))),
                }
            )
        return rows

    def food_samples(self) -> list[dict]:
        products = (  # noqa: SIM905
            "大米 面粉 食用植物油 酱油 食醋 鲜鸡蛋 猪肉 白菜 绿茶 啤酒 月饼 糕点 牛奶 豆腐 "
        ).split()
        sellers = [o.name for o in self.organisations if o.trade in ("餐饮服务", "食品销售")]
        producers = [o.name for o in self.companies]
        return [
            {
                "sample_no": f"SC{self.today.year}{n:06d}",
                "product_name": self.rng.choice(products),
                "producer": self.rng.choice(producers),
                "seller": self.rng.choice(sellers or producers),
                "result": "不合格" if self.rng.random() < 0.03 else "合格",
                "sampled_on": iso(self._recent(360)),
            }
            for n in range(1, 241)
        ]

    def special_equipment(self) -> list[dict]:
        types = ["电梯"] * 8 + ["锅炉", "压力容器", "起重机械", "场（厂）内专用机动车辆"]
        rows = []
        for n in range(1, 321):
            o = self.rng.choice(self.companies)
            rows.append(
                {
                    "device_code": f"3110{o.place.district_code}{n:06d}",
                    "device_type": self.rng.choice(types),
                    "user_unit": o.name,
                    "location": o.address,
                    "next_inspection_on": iso(
                        self.w.day_between(
                            self.today - timedelta(days=20), self.today + timedelta(days=365)
                        )
                    ),
                }
            )
        return rows

    def pharmacies(self) -> list[dict]:
        rows = []
        for n, o in enumerate(self._sample(self.companies, 80), start=1):
            rows.append(
                {
                    "permit_no": f"浙CB571{n:04d}",
                    "pharmacy_name": f"{o.name.removesuffix('有限公司')}大药房",
                    "address": o.address,
                    "pharmacist": self.w.personal_name(),
                    "medical_insurance": "true" if self.rng.random() < 0.8 else "false",
                    "opening_hours": self.rng.choice(("08:00-21:00", "08:30-22:00", "24小时")),
                }
            )
        return rows

    def _institutions(self, count: int, authority: str, names: list[str]) -> list[dict]:
        places = [self.w.place() for _ in range(count)]
        return [
            {
                "credit_code": self.w.credit_code(place.district_code, authority),
                "name": f"杭州市{place.district}"
                + names[n % len(names)].format(street=place.short_street),
                "place": place,
                "address": self.w.street_address(place),
            }
            for n, place in enumerate(places)
        ]

    @property
    def hospital_list(self) -> list[dict]:
        if not hasattr(self, "_hospitals"):
            self._hospitals = self._institutions(
                64,
                "12",
                [
                    "第一人民医院",
                    "中医院",
                    "妇幼保健院",
                    "{street}社区卫生服务中心",
                    "{street}社区卫生服务中心",
                    "口腔医院",
                    "康复医院",
                    "第二人民医院",
                ],
            )
        return self._hospitals

    def hospitals(self) -> list[dict]:
        levels = ["三级甲等", "三级乙等", "二级甲等", "二级乙等", "一级", "未定级"]
        departments = "内科；外科；妇产科；儿科；急诊医学科；医学检验科；医学影像科；中医科"
        rows = []
        for h in self.hospital_list:
            community = "社区" in h["name"]
            rows.append(
                {
                    "credit_code": h["credit_code"],
                    "org_name": h["name"],
                    "level": "一级" if community else self.rng.choice(levels[:4]),
                    "address": h["address"],
                    "region_code": h["place"].district_code,
                    "beds": str(
                        self.rng.randint(20, 80) if community else self.rng.randint(200, 2000)
                    ),
                    "departments": "全科医疗科；预防保健科；中医科" if community else departments,
                    "phone": f"0571{self.rng.randint(8000_0000, 8999_9999)}",
                }
            )
        return rows

    def schools(self) -> list[dict]:
        kinds = (
            ("小学", "小学", 1800),
            ("初级中学", "中学", 1500),
            ("九年一贯制学校", "学校", 2200),
            ("高级中学", "高级中学", 2000),
        )
        rows = []
        for n in range(1, 131):
            place = self.w.place()
            kind, suffix, size = self.rng.choice(kinds)
            street = place.short_street
            public = self.rng.random() < 0.85
            rows.append(
                {
                    "school_code": f"21{place.district_code[2:]}{n:04d}",
                    "school_name": f"杭州市{place.district}{street}"
                    + ("" if public else "实验")
                    + suffix,
                    "school_type": kind,
                    "ownership": "公办" if public else "民办",
                    "address": self.w.street_address(place),
                    "region_code": place.street_code,
                    "students": str(self.rng.randint(size // 3, size)),
                }
            )
        return rows

    def kindergartens(self) -> list[dict]:
        rows = []
        for n in range(1, 91):
            place = self.w.place()
            street = place.short_street
            rows.append(
                {
                    "school_code": f"31{place.district_code[2:]}{n:04d}",
                    "kindergarten_name": f"杭州市{place.district}{street}"
                    + self.rng.choice(("第一", "第二", "中心", "实验"))
                    + "幼儿园",
                    "grade_level": self.rng.choice(("一级", "二级", "二级", "三级", "准三级")),
                    "address": self.w.street_address(place),
                    "region_code": place.street_code,
                    "catchment": f"{place.street}辖区内适龄儿童",
                }
            )
        return rows

    def parking_lots(self) -> list[dict]:
        rows = []
        for n in range(1, 161):
            place = self.w.place()
            longitude, latitude = self.w.coordinates()
            spaces = self.rng.randint(40, 900)
            rows.append(
                {
                    "lot_code": f"P{place.district_code}{n:04d}",
                    "lot_name": place.street
                    + self.rng.choice(("公共停车场", "地下停车库", "立体停车楼", "路内泊位"))
                    + str(n),
                    "address": self.w.street_address(place),
                    "longitude": longitude,
                    "latitude": latitude,
                    "spaces": str(spaces),
                    "free_spaces": str(self.rng.randint(0, spaces)),
                    "tariff": self.rng.choice(
                        (
                            "首小时5元，之后每小时3元",
                            "每小时4元，每日封顶40元",
                            "首30分钟免费，之后每小时6元",
                        )
                    ),
                }
            )
        return rows

    def street_lights(self) -> list[dict]:
        rows = []
        for n in range(1, 521):
            longitude, latitude = self.w.coordinates()
            rows.append(
                {
                    "facility_code": f"LD{n:07d}",
                    "road": self.rng.choice(
                        (
                            "文三路",
                            "天目山路",
                            "延安路",
                            "江南大道",
                            "莫干山路",
                            "秋涛路",
                            "古墩路",
                            "滨盛路",
                        )
                    ),
                    "longitude": longitude,
                    "latitude": latitude,
                    "lamp_type": self.rng.choice(
                        ("LED路灯", "LED路灯", "高压钠灯", "太阳能路灯", "景观灯")
                    ),
                    "maintainer": self.rng.choice(
                        ("杭州市城市照明管理中心", "上城区城市照明所", "西湖区城市照明所")
                    ),
                }
            )
        return rows

    @property
    def station_list(self) -> list[dict]:
        if not hasattr(self, "_stations"):
            names = (
                "卧龙桥",
                "西溪",
                "千岛湖",
                "下沙",
                "朝晖五区",
                "和睦小学",
                "临平镇",
                "城厢镇",
                "滨江",
                "浙江农大",
                "云栖",
                "横桥",
            )
            self._stations = []
            for n, name in enumerate(names, start=1):
                place = self.w.place()
                self._stations.append(
                    {
                        "code": f"3301A{n:03d}",
                        "name": name,
                        "place": place,
                        "coords": self.w.coordinates(),
                    }
                )
        return self._stations

    def air_stations(self) -> list[dict]:
        return [
            {
                "station_code": s["code"],
                "station_name": s["name"],
                "level": "国控" if n <= 8 else "省控",
                "region_code": s["place"].district_code,
                "longitude": s["coords"][0],
                "latitude": s["coords"][1],
            }
            for n, s in enumerate(self.station_list, start=1)
        ]

    def air_quality(self) -> list[dict]:
        rows = []
        start = datetime.combine(self.today - timedelta(days=3), time())
        for s in self.station_list:
            base = self.rng.uniform(18, 45)
            for hour in range(72):
                pm25 = max(3.0, base + self.rng.gauss(0, 8))
                aqi = int(pm25 * 1.4 + self.rng.uniform(0, 12))
                rows.append(
                    {
                        "station_code": s["code"],
                        "observed_at": (start + timedelta(hours=hour)).strftime(
                            "%Y-%m-%d %H:%M:%S"
                        ),
                        "pm25": f"{pm25:.1f}",
                        "pm10": f"{pm25 * self.rng.uniform(1.3, 1.9):.1f}",
                        "o3": f"{self.rng.uniform(20, 160):.1f}",
                        "aqi": str(aqi),
                    }
                )
        return rows

    def polluters(self) -> list[dict]:
        categories = ("水环境", "大气环境", "土壤污染", "声环境", "环境风险管控")
        factories = [
            o
            for o in self.companies
            if o.trade in ("通用设备制造", "纺织服装", "环境治理", "建筑施工")
        ]
        return [
            {
                "credit_code": o.credit_code,
                "org_name": o.name,
                "category": self.rng.choice(categories),
                "address": o.address,
                "region_code": o.place.district_code,
            }
            for o in self._sample(factories, 55)
        ]

    def elderly_care(self) -> list[dict]:
        rows = []
        for n in range(1, 43):
            place = self.w.place()
            street = place.short_street
            rows.append(
                {
                    "credit_code": self.w.credit_code(place.district_code, "52"),
                    "org_name": f"杭州市{place.district}{street}"
                    + self.rng.choice(("颐养院", "敬老院", "居家养老服务中心", "康养中心")),
                    "address": self.w.street_address(place),
                    "region_code": place.street_code,
                    "beds": str(self.rng.randint(30, 600)),
                    "phone": f"0571{self.rng.randint(8000_0000, 8999_9999)}"
                    if n % 3
                    else self.w.phone(),
                }
            )
        return rows

    def presale_permits(self) -> list[dict]:
        developers = [o for o in self.companies if o.trade == "建筑施工"] or self.companies
        rows = []
        for n in range(1, 61):
            o = self.rng.choice(developers)
            place = self.w.place()
            units = self.rng.randint(80, 900)
            rows.append(
                {
                    "permit_no": f"杭售许字（{self.today.year - n % 3}）第{n:06d}号",
                    "project": place.short_street
                    + self.rng.choice(("云庐", "府", "湾", "里", "公馆", "雅苑")),
                    "credit_code": o.credit_code,
                    "area": f"{units * self.rng.uniform(85, 140):.2f}",
                    "units": str(units),
                    "issued_on": iso(self._recent(700)),
                }
            )
        return rows

    def shelters(self) -> list[dict]:
        rows = []
        for n in range(1, 61):
            place = self.w.place()
            longitude, latitude = self.w.coordinates()
            kind = self.rng.choice(("室内", "室外", "综合"))
            rows.append(
                {
                    "shelter_code": f"BN{place.district_code}{n:04d}",
                    "shelter_name": place.street
                    + self.rng.choice(("文化礼堂", "中心小学", "体育馆", "公园", "广场"))
                    + "应急避难场所",
                    "shelter_type": kind,
                    "address": self.w.street_address(place),
                    "longitude": longitude,
                    "latitude": latitude,
                    "capacity": str(self.rng.randint(300, 8000)),
                }
            )
        return rows

    def addresses(self) -> list[dict]:
        rows = []
        for n in range(1, 801):
            place = self.w.place()
            road = self.rng.choice(
                (
                    "文三路",
                    "天目山路",
                    "延安路",
                    "江南大道",
                    "莫干山路",
                    "古墩路",
                    "滨盛路",
                    "金城路",
                    "人民大道",
                )
            )
            house = f"{self.rng.randint(1, 999)}号"
            longitude, latitude = self.w.coordinates()
            rows.append(
                {
                    "address_code": f"{place.street_code}{n:06d}",
                    "full_address": f"浙江省杭州市{place.district}{place.street}{road}{house}",
                    "region_code": place.street_code,
                    "street_name": road,
                    "house_no": house,
                    "longitude": longitude,
                    "latitude": latitude,
                }
            )
        return rows

    def economic_indicators(self) -> list[dict]:
        indicators = (
            ("A01", "地区生产总值（累计）", "亿元", 1700.0, 0.06),
            ("A02", "规模以上工业增加值（累计）", "亿元", 330.0, 0.05),
            ("A03", "固定资产投资增速（累计）", "%", 5.0, 0.0),
            ("A04", "社会消费品零售总额（累计）", "亿元", 600.0, 0.05),
            ("A05", "一般公共预算收入（累计）", "亿元", 220.0, 0.04),
            ("A06", "城镇居民人均可支配收入（累计）", "元", 7000.0, 0.05),
            ("A07", "居民消费价格指数（同比）", "上年同月=100", 100.4, 0.0),
            ("A08", "城镇调查失业率", "%", 4.1, 0.0),
            ("A09", "进出口总额（累计）", "亿元", 650.0, 0.04),
            ("A10", "数字经济核心产业增加值（累计）", "亿元", 460.0, 0.08),
        )
        rows = []
        for year in (self.today.year - 1, self.today.year):
            last_month = 12 if year < self.today.year else max(1, self.today.month - 1)
            for month in range(1, last_month + 1):
                for code, name, unit, base, growth in indicators:
                    cumulative = unit not in ("%", "上年同月=100")
                    value = (
                        base * month * (1 + growth) ** (year - 2024)
                        if cumulative
                        else base + self.rng.uniform(-0.6, 0.6)
                    )
                    rows.append(
                        {
                            "indicator_code": code,
                            "period": f"{year}-{month:02d}",
                            "indicator_name": name,
                            "value": f"{value:.2f}",
                            "unit": unit,
                        }
                    )
        return rows

    def penalties(self) -> list[dict]:
        facts = (
            ("经营超过保质期的食品", "警告，没收违法所得，罚款人民币5000元"),
            ("未取得食品经营许可从事食品经营活动", "没收违法所得，罚款人民币20000元"),
            ("发布虚假广告", "责令停止发布，罚款人民币30000元"),
            ("未按规定明码标价", "警告，罚款人民币2000元"),
            ("销售不合格产品", "没收不合格产品，罚款人民币8000元"),
        )
        rows = []
        for n, o in enumerate(self._sample(self.organisations, 130), start=1):
            decided = self._recent(900)
            fact, penalty = self.rng.choice(facts)
            rows.append(
                {
                    "decision_no": f"杭{o.place.district[:2]}市监罚处〔{decided.year}〕{n:03d}号",
                    "credit_code": o.credit_code,
                    "party_name": o.name,
                    "facts": fact,
                    "penalty": penalty,
                    "decided_on": iso(decided),
                }
            )
        return rows
