"""Records about people: household register, police, social security, health, provident fund,
civil affairs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from smartgov.datastore.demo.world import RecordsBase, iso, previous_months, years_later


class PeopleRecords(RecordsBase):
    """Generators of the resources whose subject is a person."""

    def household_register(self) -> list[dict]:
        return [
            {
                "citizen_id": p.citizen_id,
                "name": p.name,
                "gender": p.gender,
                "ethnicity": p.ethnicity,
                "birth_date": iso(p.birth_date),
                "household_address": p.address,
                "household_region": p.place.street_code,
                "registered_on": iso(p.registered_on),
            }
            for p in self.residents
        ]

    def floating_population(self) -> list[dict]:
        reasons = ["务工"] * 6 + ["经商", "就学", "投亲", "其他"]
        rows = []
        for n, p in enumerate(self.non_residents, start=1):
            place = self.w.place()
            rows.append(
                {
                    "citizen_id": p.citizen_id,
                    "name": p.name,
                    "address": self.w.home_address(place),
                    "region_code": place.street_code,
                    "reason": self.rng.choice(reasons),
                    "registered_on": iso(self._recent(900)),
                    "permit_no": f"浙居{place.district_code}{self.today.year - 2}{n:06d}",
                }
            )
        return rows

    def births(self) -> list[dict]:
        babies = [p for p in self.residents if self._age(p) < 3]
        mothers = [p for p in self.adults if p.gender == "女" and 22 <= self._age(p) <= 42]
        return [
            {
                "citizen_id": b.citizen_id,
                "name": b.name,
                "gender": b.gender,
                "birth_date": iso(b.birth_date),
                "birth_place": f"浙江省杭州市{b.place.district}",
                "guardian_citizen_id": self.rng.choice(mothers).citizen_id if mothers else "",
            }
            for b in babies
        ]

    def deaths(self) -> list[dict]:
        rows = []
        for p in self._sample([p for p in self.retirees if self._age(p) >= 75], 40):
            died = self._recent(700)
            rows.append(
                {
                    "citizen_id": p.citizen_id,
                    "name": p.name,
                    "death_date": iso(died),
                    "cancelled_on": iso(died + timedelta(days=self.rng.randint(3, 40))),
                }
            )
        return rows

    def vehicles(self) -> list[dict]:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        models = (  # noqa: SIM905
            "大众朗逸 丰田卡罗拉 本田雅阁 比亚迪秦PLUS 吉利星瑞 "
            "特斯拉Model3 零跑C11 理想L6 别克英朗 日产轩逸 "
            "雅迪DE3 五菱宏光MINIEV "
        ).split()
        types = ["小型汽车"] * 6 + ["新能源小型车"] * 3 + ["大型汽车", "摩托车", "挂车"]
        rows, plates = [], set()
        for p in self._sample(self.adults, 650):
            kind = self.rng.choice(types)
            while True:
                tail = "".join(self.rng.choice(letters + "0123456789") for _ in range(4))
                plate = f"浙A{'D' if kind == '新能源小型车' else self.rng.choice(letters)}{tail}"
                if kind == "新能源小型车":
                    plate += str(self.rng.randint(0, 9))
                if plate not in plates:
                    plates.add(plate)
                    break
            rows.append(
                {
                    "plate_no": plate,
                    "vehicle_type": kind,
                    "brand_model": self.rng.choice(models),
                    "owner_name": p.name,
                    "owner_citizen_id": p.citizen_id,
                    "registered_on": iso(self.w.day_between(date(2008, 1, 1), self.today)),
                }
            )
        return rows

    def driving_licences(self) -> list[dict]:
        rows = []
        classes = ["C1"] * 8 + ["C2", "A1", "A2", "B1", "B2", "D", "E"]
        for p in self._sample(self.adults, 900):
            first = self.w.day_between(p.birth_date + timedelta(days=18 * 366), self.today)
            rows.append(
                {
                    "citizen_id": p.citizen_id,
                    "name": p.name,
                    "permitted_class": self.rng.choice(classes),
                    "first_issued_on": iso(first),
                    "valid_until": iso(years_later(first, 16)),
                    "points": str(self.rng.choice((0,) * 7 + (1, 2, 3, 6, 9))),
                }
            )
        return rows

    def social_insurance(self) -> list[dict]:
        rows = []
        statuses = ["正常参保"] * 12 + ["暂停缴费", "终止参保"]
        for n, p in enumerate(self.workers, start=1):
            employer = self.rng.choice(self.companies)
            started = self.w.day_between(
                max(p.birth_date + timedelta(days=18 * 366), date(1996, 1, 1)), self.today
            )
            for kind in ("企业职工基本养老保险", "职工基本医疗保险"):
                rows.append(
                    {
                        "citizen_id": p.citizen_id,
                        "name": self._name_as_keyed(p, 150, n),
                        "insurance_type": kind,
                        "employer_credit_code": employer.credit_code,
                        "started_on": iso(started),
                        "status": self.rng.choice(statuses),
                    }
                )
        for p in self._sample(self.retirees, 400):
            rows.append(
                {
                    "citizen_id": p.citizen_id,
                    "name": p.name,
                    "insurance_type": "城乡居民基本养老保险",
                    "employer_credit_code": "",
                    "started_on": iso(self.w.day_between(date(2011, 7, 1), self.today)),
                    "status": "正常参保",
                }
            )
        return rows

    def pensions(self) -> list[dict]:
        months = previous_months(self.today, 2)
        rows = []
        for p in self._sample(self.retirees, 450):
            amount = self.rng.randint(2400, 9800)
            for month in months:
                rows.append(
                    {
                        "citizen_id": p.citizen_id,
                        "name": p.name,
                        "month": month,
                        "amount": f"{amount}.00",
                    }
                )
        return rows

    def employment(self) -> list[dict]:
        rows = []
        for p in self._sample(self.workers, 900):
            employer = self.rng.choice(self.companies)
            rows.append(
                {
                    "citizen_id": p.citizen_id,
                    "name": p.name,
                    "credit_code": employer.credit_code,
                    "registered_on": iso(self._recent(2000)),
                    "kind": "失业登记" if self.rng.random() < 0.04 else "就业登记",
                }
            )
        return rows

    def skill_certificates(self) -> list[dict]:
        occupations = (  # noqa: SIM905
            "电工 焊工 育婴员 养老护理员 中式烹调师 保育师 美容师 "
            "汽车维修工 网络与信息安全管理员 评茶员 "
        ).split()
        levels = ["五级", "四级", "四级", "三级", "三级", "二级", "一级"]
        return [
            {
                "certificate_no": f"S{self.today.year - self.rng.randint(0, 5)}330100{n:07d}",
                "citizen_id": p.citizen_id,
                "name": p.name,
                "occupation": self.rng.choice(occupations),
                "level": self.rng.choice(levels),
            }
            for n, p in enumerate(self._sample(self.workers, 320), start=1)
        ]

    def birth_certificates(self) -> list[dict]:
        rows = []
        mothers = [p for p in self.adults if p.gender == "女" and 22 <= self._age(p) <= 42]
        hospitals = [h["name"] for h in self.hospital_list if "社区" not in h["name"]]
        for n, b in enumerate([p for p in self.residents if self._age(p) < 3], start=1):
            born = datetime.combine(
                b.birth_date, time(self.rng.randint(0, 23), self.rng.randint(0, 59))
            )
            rows.append(
                {
                    "certificate_no": f"Q330{b.birth_date.year}{n:06d}",
                    "baby_name": b.name,
                    "birth_date": born.strftime("%Y-%m-%d %H:%M:%S"),
                    "mother_citizen_id": self.rng.choice(mothers).citizen_id if mothers else "",
                    "hospital": self.rng.choice(hospitals) if hospitals else "",
                }
            )
        return rows

    def vaccinations(self) -> list[dict]:
        schedule = (
            ("乙肝疫苗", 3),
            ("卡介苗", 1),
            ("脊灰疫苗", 4),
            ("百白破疫苗", 4),
            ("麻腮风疫苗", 2),
        )
        clinics = [h["name"] for h in self.hospital_list if "社区" in h["name"]] or [
            "社区卫生服务中心"
        ]
        rows = []
        for child in [p for p in self.residents if self._age(p) < 7]:
            clinic = self.rng.choice(clinics)
            for vaccine, doses in schedule:
                for dose in range(1, doses + 1):
                    given = child.birth_date + timedelta(
                        days=30 * (dose - 1) * 2 + self.rng.randint(0, 20)
                    )
                    if given > self.today:
                        break
                    rows.append(
                        {
                            "citizen_id": child.citizen_id,
                            "vaccine": vaccine,
                            "dose": str(dose),
                            "vaccinated_on": iso(given),
                            "clinic": clinic,
                        }
                    )
        return rows

    def provident_fund(self) -> list[dict]:
        rows = []
        for n, p in enumerate(self._sample(self.workers, 1000), start=1):
            monthly = self.rng.randint(300, 6000)
            rows.append(
                {
                    "account_no": f"0571{n:010d}",
                    "citizen_id": p.citizen_id,
                    "name": self._name_as_keyed(p, 200, n),
                    "credit_code": self.rng.choice(self.companies).credit_code,
                    "monthly_amount": f"{monthly}.00",
                    "balance": f"{monthly * self.rng.randint(3, 120)}.00",
                }
            )
        return rows

    def provident_loans(self) -> list[dict]:
        statuses = ["正常"] * 10 + ["逾期", "结清", "结清"]
        return [
            {
                "loan_no": f"GJJ{self.today.year - self.rng.randint(0, 12)}{n:07d}",
                "citizen_id": p.citizen_id,
                "name": p.name,
                "amount": f"{self.rng.choice((40, 60, 80, 100, 120, 140))}.00",
                "term_months": str(self.rng.choice((120, 180, 240, 300, 360))),
                "status": self.rng.choice(statuses),
            }
            for n, p in enumerate(self._sample(self.workers, 220), start=1)
        ]

    def minimum_living(self) -> list[dict]:
        return [
            {
                "citizen_id": p.citizen_id,
                "name": self._name_as_keyed(p, 40, n),
                "household_size": str(self.rng.randint(1, 5)),
                "amount": f"{self.rng.choice((1280, 1560, 2150, 2840, 3600))}.00",
                "region_code": p.place.street_code,
                "approved_on": iso(self._recent(1200)),
            }
            for n, p in enumerate(self._sample(self.adults, 160), start=1)
        ]
